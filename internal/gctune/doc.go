// Package gctune keeps Go's garbage collector from running on a small heap.
//
// With Go's default (GOGC=100) a collection starts whenever the heap has grown by as much as was
// live after the last one, with a floor of 4 MB. The bridge's live heap between requests is a
// few megabytes, and each request allocates tens of kilobytes of short-lived garbage (decoded
// SOAP replies, SCIM bodies), so at that default the collector runs every hundred requests or so
// and costs about a quarter of the bridge's CPU per request (docs/benchmarks.md). A heap floor
// raises the collector's percent while the live heap is small, so that the next collection
// starts only once the heap reaches the floor; above the floor the percent in effect when the
// tuner started applies again, so a large live heap (an import's pages) grows no faster than
// without the tuner. The trade is memory for CPU, bounded by the floor: the process holds up to
// the floor's worth of garbage instead of a few megabytes.
//
// The tuner re-reads the live heap after every collection (a finalizer that re-arms itself, the
// usual way to hook the end of a cycle without polling) and sets the percent once per cycle.
package gctune
