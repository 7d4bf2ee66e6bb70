package main

import (
	"github.com/scimbridge/scimbridge/internal/buildinfo"
	"github.com/scimbridge/scimbridge/internal/observe"
)

// buildLabels are the scimbridge_build_info labels: the same values `scimbridge version` prints.
func buildLabels() observe.Build {
	i := buildinfo.Read()
	return observe.Build{Version: i.Version, Commit: i.Commit, Date: i.Date, Dirty: i.Dirty}
}
