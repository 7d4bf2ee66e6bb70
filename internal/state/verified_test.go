package state

import (
	"context"
	"testing"
)

// The agent re-sends the current password on every PUT: after the first match in this process,
// checking it costs no PBKDF2 run, and a different password is still told apart without one.
func TestVerifiedCacheSparesPBKDF2(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	if err := m.Record(ctx, "u", "first-Passw0rd"); err != nil {
		t.Fatal(err)
	}
	runs := func(f func()) int64 {
		before := pbkdf2Runs.Load()
		f()
		return pbkdf2Runs.Load() - before
	}
	check := func(pw string, want bool) {
		t.Helper()
		got, known, err := m.Remembered(ctx, "u", pw)
		if err != nil || !known || got != want {
			t.Fatalf("Remembered(%q) = %v %v %v, want %v true nil", pw, got, known, err, want)
		}
	}
	if n := runs(func() { check("first-Passw0rd", true) }); n != 0 {
		t.Errorf("the password just recorded took %d PBKDF2 runs to match, want 0", n)
	}
	if n := runs(func() { check("another-Passw0rd", false) }); n != 0 {
		t.Errorf("a different password took %d PBKDF2 runs to refuse against a known entry, want 0", n)
	}

	// Another process (a restart, a replica) knows nothing yet: one run, then none.
	verified = newVerifiedCache()
	if n := runs(func() { check("first-Passw0rd", true) }); n != 1 {
		t.Errorf("first match in a new process: %d PBKDF2 runs, want 1", n)
	}
	if n := runs(func() { check("first-Passw0rd", true) }); n != 0 {
		t.Errorf("second match in that process: %d PBKDF2 runs, want 0", n)
	}
	// A wrong guess is never cached as a match.
	verified = newVerifiedCache()
	if n := runs(func() { check("wrong-guess", false) }); n != 1 {
		t.Errorf("a wrong password: %d PBKDF2 runs, want 1", n)
	}
	if n := runs(func() { check("first-Passw0rd", true) }); n != 1 {
		t.Errorf("the right password after a wrong one: %d PBKDF2 runs, want 1 (the wrong one taught nothing)", n)
	}
}

func TestVerifiedCacheIsBounded(t *testing.T) {
	c := newVerifiedCache()
	salt := make([]byte, 16)
	for i := range maxVerified + 10 {
		salt[0], salt[1], salt[2] = byte(i), byte(i>>8), byte(i>>16)
		c.remember(salt, "pw")
	}
	if n := len(c.seen); n > maxVerified {
		t.Fatalf("cache holds %d entries, more than %d", n, maxVerified)
	}
	if match, ok := c.lookup(salt, "pw"); !ok || !match {
		t.Fatalf("the newest entry is not cached after the cache was emptied: %v %v", match, ok)
	}
}
