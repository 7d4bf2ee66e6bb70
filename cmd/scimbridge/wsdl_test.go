package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// refusal is what `wsdl inspect` must say when it refuses: file:line, then a way forward.
var refusal = regexp.MustCompile(`^scimbridge wsdl inspect: [^:\s]+:\d+: .*Way forward: `)

// inspectAll runs `wsdl inspect --skeleton` over every WSDL under dir: each is read (exit 0, and
// its skeleton passes `check --mapping --wsdl`) or refused with file:line and a way forward
// (exit 2).
func inspectAll(t *testing.T, dir string) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(strings.ToLower(path), ".wsdl") {
			return err
		}
		n++
		t.Run(filepath.ToSlash(path), func(t *testing.T) {
			skel := filepath.Join(t.TempDir(), "skeleton.mapping.yaml")
			var out, errb bytes.Buffer
			code := cmdWSDL(context.Background(), []string{"inspect", "--skeleton", skel, path}, &out, &errb)
			switch code {
			case 0:
				if !strings.Contains(out.String(), "binding ") || !strings.Contains(out.String(), " operations") {
					t.Fatalf("no binding or operations printed:\n%s", out.String())
				}
				var cout, cerr bytes.Buffer
				if code := cmdCheck([]string{"--mapping", skel, "--wsdl", path}, &cout, &cerr); code != 0 {
					data, _ := os.ReadFile(skel)
					t.Fatalf("check refuses the skeleton (exit %d): %s\n%s", code, cerr.String(), data)
				}
			case 2:
				if !refusal.MatchString(strings.TrimSpace(errb.String())) {
					t.Fatalf("refused without file:line and a way forward: %s", errb.String())
				}
			default:
				t.Fatalf("exit %d: %s", code, errb.String())
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no WSDL under %s", dir)
	}
}

func TestWSDLInspectRepoWSDLs(t *testing.T) {
	inspectAll(t, "../../wsdl")
}

// The shared corpus of third-party WSDLs sits beside the checkout in CI (../shared).
func TestWSDLInspectSharedCorpus(t *testing.T) {
	dir := "../../../shared/wsdl-corpus"
	if d := os.Getenv("SCIMBRIDGE_SHARED"); d != "" { // a checkout elsewhere (a git worktree)
		dir = filepath.Join(d, "wsdl-corpus")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the shared WSDL corpus is missing at %s: %v", dir, err)
		}
		t.Skipf("SKIPPED LOUDLY: the shared WSDL corpus is not beside this checkout (%s); CI has it", dir)
	}
	inspectAll(t, dir)
}

func TestWSDLInspectShowsOpenContentAndShapes(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cmdWSDL(context.Background(), []string{"inspect", "../../wsdl/asmx-directory.wsdl"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"binding DirectorySoap (portType DirectorySoap)", // the SOAP 1.1 binding, not DirectorySoap12
		"GetUserInfoResult XML  (<GetUserInfoResult>, optional, XML: open content kept as XML, read it with XPath)",
		"UserLoginName string  (<userLoginName>, optional)",
		"Active *bool  (<active>)",
		"AddUserResponse>\n    (no fields)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := cmdWSDL(context.Background(), []string{"inspect", "../../wsdl/legacyhr.wsdl"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Members []*struct  (<Members>, array, optional)", "fault HRFault (detail <HRFault>)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if code := cmdWSDL(context.Background(), []string{"inspect"}, &out, &errb); code != 2 {
		t.Errorf("no WSDL: exit %d, want 2", code)
	}
}
