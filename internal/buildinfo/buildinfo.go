package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Stamped by release builds:
//
//	-ldflags "-X github.com/scimbridge/scimbridge/internal/buildinfo.version=v1.2.3
//	          -X github.com/scimbridge/scimbridge/internal/buildinfo.commit=<sha>
//	          -X github.com/scimbridge/scimbridge/internal/buildinfo.date=<RFC 3339>
//	          -X github.com/scimbridge/scimbridge/internal/buildinfo.dirty=false"
var version, commit, date, dirty string

// Info describes one build. Unknown values are "unknown" (never empty, so metric labels and log
// fields always have a value).
type Info struct {
	Version   string // v1.2.3, a pseudo-version, or "dev"
	Commit    string // full VCS revision
	Date      string // commit time, RFC 3339
	Dirty     bool   // built from a tree with uncommitted changes
	GoVersion string
}

// Read returns the running build's information.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return from(bi, version, commit, date, dirty)
}

// from merges stamped values (which win) with the toolchain's build information.
func from(bi *debug.BuildInfo, stampedVersion, stampedCommit, stampedDate, stampedDirty string) Info {
	in := Info{Version: "dev", Commit: "unknown", Date: "unknown", GoVersion: runtime.Version()}
	if bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			in.Version = v
		}
		if bi.GoVersion != "" {
			in.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Commit = s.Value
			case "vcs.time":
				in.Date = s.Value
			case "vcs.modified":
				in.Dirty = s.Value == "true"
			}
		}
		// A module version with +dirty (Go ≥ 1.24 stamps it for a modified checkout) says so too.
		if strings.HasSuffix(in.Version, "+dirty") {
			in.Dirty = true
		}
	}
	if stampedVersion != "" {
		in.Version = stampedVersion
	}
	if stampedCommit != "" {
		in.Commit = stampedCommit
	}
	if stampedDate != "" {
		in.Date = stampedDate
	}
	if stampedDirty != "" {
		if d, err := strconv.ParseBool(stampedDirty); err == nil {
			in.Dirty = d
		}
	}
	return in
}

// Short is the version for a User-Agent or a banner: the version, plus the short commit when the
// version alone does not pin the build, plus "-dirty".
func (i Info) Short() string {
	s := i.Version
	if i.Version == "dev" && i.Commit != "unknown" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += "-" + c
	}
	if i.Dirty && !strings.HasSuffix(s, "+dirty") {
		s += "-dirty"
	}
	return s
}

// String is the multi-line text of `scimbridge version`.
func (i Info) String() string {
	return fmt.Sprintf("scimbridge %s\n  commit   %s\n  date     %s\n  dirty    %t\n  go       %s\n  platform %s/%s\n",
		i.Version, i.Commit, i.Date, i.Dirty, i.GoVersion, runtime.GOOS, runtime.GOARCH)
}
