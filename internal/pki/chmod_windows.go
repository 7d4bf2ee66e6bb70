//go:build windows

package pki

// On Windows, permissions come from the directory's ACL; Chmod can only toggle read-only, so its
// failure is not a reason to refuse writing the file (docs/security.md says to restrict the
// directory).
func isChmodUnsupported(error) bool { return true }
