// Package config is the one owner of scimbridge's configuration file: its schema (Config and
// the section types below it), defaults, `${NAME}` / `${file:/path}` secret resolution and
// validation, and Prepare, which does everything `serve` does before it listens (resilience
// guards built, TLS files read and matched, secrets resolved, the mapping loaded and compiled
// against the backend's operations). `scimbridge check` and `serve` both call Prepare, so a
// file `check` accepts is a file `serve` starts with, and both refuse a bad file with the same
// words.
//
// Problems are reported all at once, each as `file:line:col: key.path: message` in the file's
// own vocabulary (YAML keys, "a duration such as 20s", never Go type names), with a
// did-you-mean for unknown keys, the way the mapping checker reports mapping files.
//
// A component that has its own configuration type keeps it (adapter.Config is the `scim:`
// section, soapclient.Resilience is `backend.resilience`); this package decodes the file into
// it, positions the component's own Validate errors, and cross-checks what no single component
// can see. Adding a key is a field with a yaml tag in its section type, a default in that
// section's defaults method, a check in its validate method, and a line in
// docs/configuration.md (a test fails when a key is undocumented).
package config
