//go:build !windows

package pki

func isChmodUnsupported(error) bool { return false }
