package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/scimbridge/scimbridge/internal/wsdlgen"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

const wsdlUsage = `Usage:
  scimbridge wsdl inspect [--binding NAME] [--skeleton FILE] [--basic USER:PASSWORD] WSDL

inspect reads a WSDL (a file, or the application's own http(s) ?wsdl URL) exactly as
backend.wsdl does at start-up, with no Go toolchain, and prints the binding chosen, every
operation with its request and response shape (Go field names for the mapping, XML names,
types, arrays, optional fields, content kept as XML) and the faults. --skeleton writes a
commented starter mapping that "scimbridge check" accepts.

Exit status: 0 read; 2 usage, or a WSDL the runtime client refuses (the message names the file,
line and the way forward); 1 any other failure (I/O, network).
`

// cmdWSDL is `scimbridge wsdl`.
func cmdWSDL(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "inspect" {
		fmt.Fprint(stderr, wsdlUsage)
		return 2
	}
	fs := flag.NewFlagSet("wsdl inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, wsdlUsage) }
	binding := fs.String("binding", "", "the SOAP binding to use, when the WSDL has several")
	skeleton := fs.String("skeleton", "", "write a starter mapping file here")
	basic := fs.String("basic", "", "USER:PASSWORD for HTTP Basic, when the WSDL is a URL that needs it")
	// Flags may come after the WSDL too.
	var positional []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(positional) != 1 {
		fmt.Fprint(stderr, wsdlUsage)
		return 2
	}
	src := positional[0]
	var cfg soapclient.Config
	if *basic != "" {
		u, p, ok := strings.Cut(*basic, ":")
		if !ok || u == "" {
			fmt.Fprintln(stderr, "scimbridge wsdl inspect: --basic takes USER:PASSWORD")
			return 2
		}
		cfg.BasicAuth = &soapclient.BasicAuthConfig{Username: u, Password: p}
	}
	m, err := wsdlrt.Load(ctx, wsdlrt.Options{WSDL: src, Binding: *binding}, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge wsdl inspect:", err)
		var refused *wsdlgen.RefusedError
		if errors.As(err, &refused) {
			return 2
		}
		return 1
	}
	printModel(stdout, m)
	if _, err := wsdlrt.Registry(m, "wsdl"); err != nil {
		fmt.Fprintln(stderr, "scimbridge wsdl inspect:", err)
		return 2
	}
	if *skeleton != "" {
		if err := os.WriteFile(*skeleton, []byte(skeletonMapping(src, m)), 0o644); err != nil {
			fmt.Fprintln(stderr, "scimbridge wsdl inspect:", err)
			return 1
		}
		fmt.Fprintf(stdout, "\nwrote a starter mapping to %s; fill it in, then: scimbridge check --mapping %s --wsdl %s\n", *skeleton, *skeleton, src)
	}
	return 0
}

func printModel(w io.Writer, m *wsdlgen.Model) {
	fmt.Fprintf(w, "WSDL %s\n", m.WSDL)
	fmt.Fprintf(w, "binding %s (portType %s)\n", m.Binding, m.PortType)
	if m.Endpoint != "" {
		fmt.Fprintf(w, "endpoint %s (the soap:address; backend.endpoint overrides it)\n", m.Endpoint)
	}
	fmt.Fprintf(w, "%d operations\n", len(m.Operations))
	for _, op := range m.Operations {
		fmt.Fprintf(w, "\n%s  [%s/%s]", op.Name, op.Style, op.Use)
		if op.SOAPAction != "" {
			fmt.Fprintf(w, "  SOAPAction %q", op.SOAPAction)
		}
		fmt.Fprintln(w)
		printShape(w, "request", op.Request)
		printShape(w, "response", op.Response)
		for _, f := range op.Faults {
			fmt.Fprintf(w, "  fault %s", f.Name)
			if f.Element != "" {
				fmt.Fprintf(w, " (detail <%s>)", f.Element)
			}
			fmt.Fprintln(w)
			if f.Type != nil {
				for _, line := range fieldLines(f.Type, "      ") {
					fmt.Fprintln(w, line)
				}
			}
		}
	}
	if len(m.Report.Warnings) > 0 {
		fmt.Fprintf(w, "\n%d warnings\n", len(m.Report.Warnings))
		for _, warn := range m.Report.Warnings {
			fmt.Fprintln(w, "  "+warn)
		}
	}
	if len(m.Report.Changes) > 0 {
		kinds := map[string]int{}
		var order []string
		for _, c := range m.Report.Changes {
			if kinds[c.Kind] == 0 {
				order = append(order, c.Kind)
			}
			kinds[c.Kind]++
		}
		var parts []string
		for _, k := range order {
			parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
		}
		fmt.Fprintf(w, "\n%d repairs, the same as scimbridge gen makes (%s); scimbridge gen --wsdl %s lists them\n", len(m.Report.Changes), strings.Join(parts, ", "), m.WSDL)
	}
}

func printShape(w io.Writer, what string, t reflect.Type) {
	if t == reflect.TypeFor[soapreg.Void]() {
		fmt.Fprintf(w, "  %s: none\n", what)
		return
	}
	name := ""
	if f, ok := t.FieldByName("XMLName"); ok {
		name = " <" + strings.ReplaceAll(f.Tag.Get("xml"), " ", "}")
		if strings.Contains(name, "}") {
			name = " <{" + name[2:]
		}
		name += ">"
	}
	fmt.Fprintf(w, "  %s%s\n", what, name)
	lines := fieldLines(t, "    ")
	if len(lines) == 0 {
		fmt.Fprintln(w, "    (no fields)")
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// fieldLines lists a struct's fields, nested ones indented: Go name (what the mapping writes),
// type, XML name, and what the WSDL says beyond the Go type.
func fieldLines(t reflect.Type, indent string) []string {
	var out []string
	var walk func(t reflect.Type, indent string, depth int)
	walk = func(t reflect.Type, indent string, depth int) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == wsdlgen.XMLContentType || t.PkgPath() != "" || depth > 8 {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Name == "XMLName" {
				continue
			}
			tag := f.Tag.Get("xml")
			xmlName, opts, _ := strings.Cut(tag, ",")
			if i := strings.LastIndexByte(xmlName, ' '); i >= 0 {
				xmlName = xmlName[i+1:]
			}
			var notes []string
			switch {
			case strings.Contains(opts, "attr"):
				notes = append(notes, "attribute "+xmlName)
			case strings.Contains(opts, "chardata"):
				notes = append(notes, "text content")
			case strings.Contains(opts, "any"):
				notes = append(notes, "any other elements")
			default:
				notes = append(notes, "<"+xmlName+">")
			}
			if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() != reflect.Uint8 {
				notes = append(notes, "array")
			}
			xsd := f.Tag.Get(wsdlgen.TagXSD)
			if strings.Contains(xsd, "optional") {
				notes = append(notes, "optional")
			}
			if strings.Contains(xsd, "any") {
				notes = append(notes, "XML: open content kept as XML, read it with XPath")
			}
			out = append(out, fmt.Sprintf("%s%s %s  (%s)", indent, f.Name, wsdlgen.TypeString(f.Type), strings.Join(notes, ", ")))
			et := f.Type
			for et.Kind() == reflect.Pointer || et.Kind() == reflect.Slice {
				et = et.Elem()
			}
			walk(et, indent+"  ", depth+1)
		}
	}
	walk(t, indent, 0)
	return out
}

// skeletonMapping is a starter mapping: users.get wired to the operation that looks most like
// "read one user by key", toSCIM's two required attributes, and the operation list as comments.
// It compiles as written, so `check` accepts it; the TODOs say what to do next.
func skeletonMapping(src string, m *wsdlgen.Model) string {
	var b strings.Builder
	client := strings.ToLower(identifierOf(m.PortType))
	if client == "" {
		client = "legacy"
	}
	fmt.Fprintf(&b, "# Starter mapping for %s (binding %s), written by scimbridge wsdl inspect --skeleton.\n", src, m.Binding)
	b.WriteString("# The bridge reads the WSDL at start-up: set backend.wsdl to it in the configuration.\n")
	b.WriteString("# Field names below are the Go names scimbridge wsdl inspect prints. docs/mapping.md has every key.\n")
	fmt.Fprintf(&b, "# Check it with: scimbridge check --mapping THIS_FILE --wsdl %s\n", src)
	fmt.Fprintf(&b, "client: %s\n", client)
	b.WriteString("users:\n")
	get, reqField, respField, rec := pickGet(m)
	if get == nil {
		b.WriteString("  # TODO: no operation of this WSDL looks like reading one user; pick one.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "  get:                      # TODO: check this is the operation that reads one user by its key\n")
	fmt.Fprintf(&b, "    call: %s\n", get.Name)
	if reqField != "" {
		fmt.Fprintf(&b, "    request:\n      %s: id\n", reqField)
	}
	if respField != "" {
		fmt.Fprintf(&b, "    result: resp.%s\n", respField)
	} else {
		b.WriteString("    result: resp\n")
	}
	b.WriteString("  toSCIM:\n")
	idExpr, nameExpr := "\"\"", "\"\""
	switch {
	case rec == wsdlgen.XMLContentType:
		b.WriteString("    # The record is XML the WSDL leaves open (rec.XML): read attributes and elements with the\n")
		b.WriteString("    # mapping's XPath functions (docs/mapping.md), e.g. for <User LoginName=\"..\"/>.\n")
		idExpr, nameExpr = "rec.XML", "rec.XML"
	default:
		if f := firstStringField(rec); f != "" {
			idExpr, nameExpr = "rec."+f, "rec."+f
		}
	}
	fmt.Fprintf(&b, "    id: %s          # TODO: the application's key\n", idExpr)
	fmt.Fprintf(&b, "    userName: %s    # TODO: the login name\n", nameExpr)
	b.WriteString("  # TODO: create, replace, delete, list, search, groups: see docs/mapping.md.\n")
	b.WriteString("#\n# Operations of this WSDL:\n")
	for _, op := range m.Operations {
		fmt.Fprintf(&b, "#   %s(%s) -> %s\n", op.Name, strings.Join(fieldNames(op.Request), ", "), strings.Join(fieldNames(op.Response), ", "))
	}
	return b.String()
}

func identifierOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func fieldNames(t reflect.Type) []string {
	var out []string
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i < t.NumField(); i++ {
		if n := t.Field(i).Name; n != "XMLName" {
			out = append(out, n)
		}
	}
	return out
}

func firstStringField(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); (f.Type.Kind() == reflect.String || (f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.String)) && f.Name != "XMLName" {
			return f.Name
		}
	}
	return ""
}

// pickGet chooses the operation for users.get: a read taking one string (its name containing
// "get", "read" or "find" and a word for a person, preferred), with a response field to use as
// the record.
func pickGet(m *wsdlgen.Model) (op *wsdlgen.ModelOperation, reqField, respField string, rec reflect.Type) {
	best := -1
	for i := range m.Operations {
		o := &m.Operations[i]
		if o.Response.Kind() != reflect.Struct || o.Request.Kind() != reflect.Struct {
			continue
		}
		var resp reflect.StructField
		found := false
		for j := 0; j < o.Response.NumField(); j++ {
			if f := o.Response.Field(j); f.Name != "XMLName" {
				resp, found = f, true
				break
			}
		}
		if !found {
			continue
		}
		var strs []string
		for _, n := range fieldNames(o.Request) {
			if f, _ := o.Request.FieldByName(n); f.Type.Kind() == reflect.String || (f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.String) {
				strs = append(strs, n)
			}
		}
		if len(strs) != 1 {
			continue
		}
		name := strings.ToLower(o.Name)
		score := 0
		for _, w := range []string{"get", "read", "find", "lookup"} {
			if strings.HasPrefix(name, w) {
				score += 2
			}
		}
		for _, w := range []string{"user", "employee", "person", "account", "member"} {
			if strings.Contains(name, w) {
				score += 3
			}
		}
		if strings.Contains(name, "list") || strings.Contains(name, "collection") || strings.Contains(name, "group") || strings.Contains(name, "role") {
			score -= 2
		}
		rt := resp.Type
		for rt.Kind() == reflect.Pointer {
			rt = rt.Elem()
		}
		if rt.Kind() == reflect.Struct {
			score++
		}
		if score > best {
			best, op, reqField, respField, rec = score, o, strs[0], resp.Name, rt
			if rt.Kind() != reflect.Struct { // not a record: the whole response is one
				respField, rec = "", o.Response
			}
		}
	}
	return op, reqField, respField, rec
}
