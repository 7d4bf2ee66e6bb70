package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/internal/state"
)

const stateUsage = `Usage:
  scimbridge state backup [--config FILE | --db FILE] DEST
      copy the bridge's SQLite state into DEST (a new file, mode 0600) while the bridge runs
`

// cmdState holds the operator's commands on the bridge's own state.
func cmdState(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "backup" {
		fmt.Fprint(stderr, stateUsage)
		return 2
	}
	fs := flag.NewFlagSet("state backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, stateUsage); fs.PrintDefaults() }
	configPath := fs.String("config", "", "configuration file naming the state (state.path)")
	dbPath := fs.String("db", "", "the SQLite state file itself (instead of --config)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 || (*configPath == "") == (*dbPath == "") {
		fmt.Fprintln(stderr, "scimbridge state backup: give one of --config FILE or --db FILE, and the destination file")
		fmt.Fprint(stderr, stateUsage)
		return 2
	}
	src := *dbPath
	if *configPath != "" {
		cfg, err := config.Load(*configPath, config.Options{})
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		if cfg.State.Path == "" {
			fmt.Fprintf(stderr, "scimbridge state backup: %s keeps the state in memory (no state.path): there is nothing to back up\n", *configPath)
			return 1
		}
		src = cfg.State.Path
	}
	dest := fs.Arg(0)
	if err := state.BackupSQLite(ctx, src, dest); err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	fmt.Fprintf(stdout, "scimbridge: state %s backed up to %s\n", src, dest)
	return 0
}
