// Package diag is the one positioned-problem list of the project: the configuration loader, the
// mapping compiler and the REST definition reader all report `file:line:col: message` lines, all
// problems of a file at once and in file order, with the same did-you-mean for typos. It is a leaf
// (standard library only) so that clients may use it too without reaching the bridge.
package diag
