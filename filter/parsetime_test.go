package filter

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2020, 4, 7, 14, 19, 34, 0, time.UTC)
	for in, exp := range map[string]time.Time{
		"2020-04-07T14:19:34Z":      want,
		"2020-04-07T16:19:34+02:00": want,
		"2020-04-07T14:19:34":       want,
		" 2020-04-07T14:19:34Z ":    want,
		"2020-04-07":                time.Date(2020, 4, 7, 0, 0, 0, 0, time.UTC),
	} {
		got, ok := ParseTime(in)
		if !ok || !got.Equal(exp) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, ok, exp)
		}
	}
	for _, in := range []string{"", "yesterday", "04-17-2020 00:00:00", "2020-13-01", "2020-04-07T25:00:00Z"} {
		if _, ok := ParseTime(in); ok {
			t.Errorf("ParseTime(%q) accepted", in)
		}
	}
	// A date-only literal compares as an instant, not as a string.
	e, err := Parse(`meta.lastModified gt "2020-04-07"`)
	if err != nil {
		t.Fatal(err)
	}
	// 23:00:01 UTC the day before, and 00:00:01 UTC on the day: only the second is later.
	before := mapResolver{"meta": map[string]any{"lastModified": time.Date(2020, 4, 7, 0, 0, 1, 0, time.FixedZone("x", 3600))}}
	after := mapResolver{"meta": map[string]any{"lastModified": time.Date(2020, 4, 7, 0, 0, 1, 0, time.UTC)}}
	if Match(e, before) || !Match(e, after) {
		t.Errorf("date-only literal not compared as an instant: before %v, after %v", Match(e, before), Match(e, after))
	}
}
