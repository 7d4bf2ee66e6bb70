package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	wsdlPath := flag.String("wsdl", "", "WSDL file to generate from")
	pkg := flag.String("pkg", "", "Go package name of the generated client")
	out := flag.String("out", "", "path of the generated .go file (its directory is created if needed)")
	flag.Parse()
	if *wsdlPath == "" || *pkg == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gowsdlfix -wsdl file.wsdl -pkg name -out dir/name/file.go")
		os.Exit(2)
	}
	if err := run(*wsdlPath, *pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gowsdlfix:", err)
		os.Exit(1)
	}
}

func run(wsdlPath, pkg, out string) error {
	tmp, err := os.MkdirTemp("", "gowsdlfix-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	name := filepath.Base(out)
	cmd := exec.Command(goBinary(), "tool", "gowsdl", "-d", tmp, "-p", pkg, "-o", name, wsdlPath)
	// gowsdl logs progress on stdout; keep it off our stdout so that only repairs are listed there.
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go tool gowsdl: %w", err)
	}
	src, err := os.ReadFile(filepath.Join(tmp, pkg, name))
	if err != nil {
		return fmt.Errorf("reading gowsdl output: %w", err)
	}
	fixed, notes, err := repair(src, pkg)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Printf("gowsdlfix: %s: %s\n", out, n)
	}
	return install(out, fixed)
}

// goBinary prefers the go command of the toolchain that runs go generate (it sets GOROOT), so the
// pinned gowsdl is built by the same Go as the rest of the module.
func goBinary() string {
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "go"
}

// voidCall is how gowsdl v0.5.0's operations template ends a CallContext for an operation without
// an output part; voidCallFixed passes a pointer so encoding/xml can decode into it.
var (
	voidCall      = []byte(", struct{}{})")
	voidCallFixed = []byte(", &struct{}{})")
)

// repair applies the documented repairs to gowsdl output and checks that the result is a gofmt-ed
// Go file of package pkg. It returns the repaired source and one note per repair applied.
func repair(src []byte, pkg string) ([]byte, []string, error) {
	var notes []string
	if n := bytes.Count(src, voidCall); n > 0 {
		src = bytes.ReplaceAll(src, voidCall, voidCallFixed)
		notes = append(notes, fmt.Sprintf("void operations: %d call(s) now pass &struct{}{} as the response", n))
	}
	formatted, err := format.Source(src)
	if err != nil {
		return nil, nil, fmt.Errorf("generated code does not format (gowsdl template error?): %w", err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "generated.go", formatted, parser.PackageClauseOnly)
	if err != nil {
		return nil, nil, fmt.Errorf("generated code does not parse: %w", err)
	}
	if f.Name.Name != pkg {
		return nil, nil, fmt.Errorf("generated package is %q, want %q", f.Name.Name, pkg)
	}
	return formatted, notes, nil
}

// install writes data to path atomically (temp file + rename in the same directory), with the
// modes a checkout would have, so an interrupted run never leaves a half-written client behind.
func install(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".gowsdlfix-*.tmp")
	if err != nil {
		return err
	}
	tmpName := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmpName, 0o644)); err != nil {
		os.Remove(tmpName)
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		os.Remove(tmpName)
		return err
	}
	return nil
}
