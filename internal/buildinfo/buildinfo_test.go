package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFrom(t *testing.T) {
	vcs := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/scimbridge/scimbridge", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	for _, tc := range []struct {
		name                         string
		bi                           *debug.BuildInfo
		sv, sc, sd, sdirty           string
		version, commit, date, short string
		dirty                        bool
	}{
		{name: "nothing known", version: "dev", commit: "unknown", date: "unknown", short: "dev"},
		{name: "vcs settings", bi: vcs, version: "dev", commit: vcs.Settings[0].Value, date: "2026-12-01T10:00:00Z", dirty: true, short: "dev-0123456789ab-dirty"},
		{name: "module version", bi: &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, version: "v1.4.0", commit: "unknown", date: "unknown", short: "v1.4.0"},
		{name: "stamped wins", bi: vcs, sv: "v2.0.0", sc: "feedface", sd: "2026-12-07T00:00:00Z", sdirty: "false",
			version: "v2.0.0", commit: "feedface", date: "2026-12-07T00:00:00Z", short: "v2.0.0"},
		{name: "dirty pseudo-version", bi: &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201100000-0123456789ab+dirty"}},
			version: "v0.0.0-20261201100000-0123456789ab+dirty", commit: "unknown", date: "unknown", dirty: true, short: "v0.0.0-20261201100000-0123456789ab+dirty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := from(tc.bi, tc.sv, tc.sc, tc.sd, tc.sdirty)
			if in.Version != tc.version || in.Commit != tc.commit || in.Date != tc.date || in.Dirty != tc.dirty {
				t.Errorf("got %+v", in)
			}
			if in.Short() != tc.short {
				t.Errorf("Short() = %q, want %q", in.Short(), tc.short)
			}
			if !strings.Contains(in.String(), "commit   "+tc.commit) {
				t.Errorf("String() lacks the commit:\n%s", in)
			}
		})
	}
}
