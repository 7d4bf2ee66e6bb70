// Package buildinfo says which build of scimbridge is running: module version, VCS commit,
// commit date and whether the tree was dirty. `scimbridge version`, the start-up log line, the
// backend User-Agent and the scimbridge_build_info metric all read it from here.
//
// Release builds (scripts/release.sh, docs/releasing.md) stamp the values with -ldflags -X;
// otherwise they come from the Go toolchain's build information (runtime/debug.ReadBuildInfo):
// the module version of `go install …@vX`, and the vcs.* settings of a build inside a git
// checkout with -buildvcs on.
package buildinfo
