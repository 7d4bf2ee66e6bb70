// Package defaults embeds the mapping files scimbridge ships, so that the demo command runs
// without any file on disk. Each file is a copy of the commented example under
// deploy/examples; a test in this package keeps the two identical.
package defaults
