package wsdlgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options are the inputs of one generation.
type Options struct {
	WSDL    string // path of the WSDL file
	Package string // Go package name of the client
	Out     string // output directory; default ./<Package>
	// Binding selects a SOAP 1.1 binding by name when the WSDL has several for different
	// portTypes; empty picks the only one.
	Binding string
	// WSDLName is how the registry names the WSDL; default its base name.
	WSDLName string
	// NoVet skips the `go vet` check of the result (tests of the steps before it).
	NoVet bool
	// ModuleRoot is the directory of go.mod; default: found from the working directory. gowsdl
	// runs there (`go tool gowsdl` is pinned in go.mod) and so does go vet.
	ModuleRoot string

	// Runtime prepares the WSDL for the runtime client (Load) instead of for gowsdl's generator:
	// operations of every style are kept with their style and use (the encoders for each decide
	// what they support), and complex types whose content gowsdl would drop are marked.
	Runtime bool
	// Fetch reads a document by URL. Set, it lets WSDL be an http(s) URL (an application's own
	// ?wsdl), whose relative imports are fetched from the same server; unset, only files are read.
	Fetch func(url string) ([]byte, error)
}

var pkgName = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// generated is the output of one run, before it is installed.
type generated struct {
	client, registry []byte
}

// Generate runs the whole pipeline for one WSDL and installs <Out>/<Package>.go and
// <Out>/registry.go (and a doc.go if the directory has none). The report lists every repair and
// warning, also when an error is returned after pre-flight; a *RefusedError means the WSDL is
// outside what the pipeline supports, and says why.
func Generate(ctx context.Context, opts Options) (*Report, error) {
	r := &Report{WSDL: opts.WSDL, Package: opts.Package}
	if !pkgName.MatchString(opts.Package) {
		return r, refuse("package name %q: use lower-case letters and digits, starting with a letter", opts.Package)
	}
	if opts.Out == "" {
		opts.Out = opts.Package
	}
	if opts.WSDLName == "" {
		opts.WSDLName = filepath.Base(opts.WSDL)
	}
	if opts.ModuleRoot == "" {
		root, err := moduleRoot()
		if err != nil {
			return r, err
		}
		opts.ModuleRoot = root
	}
	p, err := preflight(opts.WSDL, opts, r)
	if err != nil {
		return r, err
	}
	g, err := build(ctx, p, opts, r)
	if err != nil {
		return r, err
	}
	if !opts.NoVet {
		if err := vet(ctx, opts, g); err != nil {
			return r, err
		}
	}
	return r, install(opts, g)
}

// build runs gowsdl on the prepared WSDL and post-processes its output.
func build(ctx context.Context, p *prepared, opts Options, r *Report) (*generated, error) {
	raw, err := runGowsdl(ctx, opts.ModuleRoot, opts.Package, p.doc)
	if err != nil {
		return nil, err
	}
	src, ops, err := postprocess(raw, p, opts, r)
	if err != nil {
		return nil, err
	}
	r.Operations = ops
	reg, err := registrySource(opts, p, ops)
	if err != nil {
		return nil, err
	}
	return &generated{client: src, registry: reg}, nil
}

// moduleRoot walks up from the working directory to go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 64 {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("no go.mod above the working directory: run scimbridge gen inside the module that pins gowsdl (go tool gowsdl)")
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

// runGowsdl writes doc to a temporary directory and runs the pinned gowsdl on it, from the module
// root. Its output goes to another temporary directory: gowsdl creates the package directory with
// mode 0744 and writes unformatted code when gofmt fails, so nothing of it is installed as is.
func runGowsdl(ctx context.Context, modRoot, pkg string, doc []byte) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "wsdlgen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "input.wsdl")
	if err := os.WriteFile(in, doc, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBinary(), "tool", "gowsdl", "-d", tmp, "-p", pkg, "-o", pkg+".go", in)
	cmd.Dir = modRoot
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go tool gowsdl failed (%v):\n%s", err, lastLines(out.String(), 20))
	}
	src, err := os.ReadFile(filepath.Join(tmp, pkg, pkg+".go"))
	if err != nil {
		return nil, fmt.Errorf("gowsdl wrote no output: %w\n%s", err, lastLines(out.String(), 20))
	}
	return src, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

type edit struct {
	start, end int
	text       string
}

func applyEdits(src []byte, edits []edit) []byte {
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := slices.Clone(src)
	for _, e := range edits {
		out = slices.Concat(out[:e.start], []byte(e.text), out[e.end:])
	}
	return out
}

const gowsdlHeader = "// Code generated by gowsdl DO NOT EDIT."

// postprocess repairs gowsdl's Go output: header, void calls, SOAPActions, leftover duplicate
// types; and reads the operation signatures for the registry.
func postprocess(src []byte, p *prepared, opts Options, r *Report) ([]byte, []Operation, error) {
	header := fmt.Sprintf("// Code generated by gowsdl v0.5.0 and scimbridge gen from %s (binding %s). DO NOT EDIT.", opts.WSDLName, p.binding)
	if !bytes.HasPrefix(src, []byte(gowsdlHeader)) {
		return nil, nil, fmt.Errorf("gowsdl output does not start with %q: not gowsdl v0.5.0?", gowsdlHeader)
	}
	src = slices.Concat([]byte(header), src[len(gowsdlHeader):])

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("gowsdl output does not parse (a gowsdl template error): %w", err)
	}
	off := func(pos token.Pos) int { return fset.Position(pos).Offset }
	var edits []edit

	// Duplicate type declarations left after pre-flight (element names across namespaces, or a
	// self-embedding extension). A struct that only embeds a pointer to its own name is dropped;
	// anything else is reported precisely instead of ending as a compile error.
	specs := map[string][]*ast.TypeSpec{}
	declOf := map[*ast.TypeSpec]*ast.GenDecl{}
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				specs[ts.Name.Name] = append(specs[ts.Name.Name], ts)
				declOf[ts] = gd
			}
		}
	}
	for _, name := range slices.Sorted(mapsKeys(specs)) {
		list := specs[name]
		if len(list) < 2 {
			continue
		}
		var keep []*ast.TypeSpec
		for _, ts := range list {
			if selfEmbedding(ts) && len(declOf[ts].Specs) == 1 {
				gd := declOf[ts]
				edits = append(edits, edit{off(gd.Pos()), off(gd.End()), ""})
				r.change(KindRemoveType, "removed Go type %s = struct{ *%s }: gowsdl's rendering of an extension of a same-named type", name, name)
				continue
			}
			keep = append(keep, ts)
		}
		if len(keep) > 1 {
			return nil, nil, refuse("%s: gowsdl declares type %s %d times (two global elements or types whose names differ only by namespace or by the case of the first letter); scimbridge gen renames duplicate types but not elements, whose names are on the wire. Way forward: if the service does not use one of the clashing elements, delete it from a local copy of the WSDL and generate again; otherwise the client must be written by hand (encoding/xml structs) for those operations", opts.WSDLName, name, len(keep))
		}
	}

	edits = append(edits, qualifyFields(f, off, p.schemas, r)...)

	// Operations: the port's XxxContext methods, mapped to the binding's operation names.
	portType := goName(p.portType)
	private := strings.ToLower(portType[:1]) + portType[1:]
	byMethod := map[string]bindingOp{}
	for _, op := range p.ops {
		byMethod[goName(op.name)] = op
	}
	var ops []Operation
	voids := 0
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 || !strings.HasSuffix(fd.Name.Name, "Context") {
			continue
		}
		if star, ok := fd.Recv.List[0].Type.(*ast.StarExpr); !ok || fmt.Sprint(star.X) != private {
			continue
		}
		method := strings.TrimSuffix(fd.Name.Name, "Context")
		bop, ok := byMethod[method]
		if !ok {
			return nil, nil, fmt.Errorf("gowsdl generated method %s, which matches no operation of binding %s", fd.Name.Name, p.binding)
		}
		op := Operation{Name: bop.name, Method: method, SOAPAction: bop.action}
		params := fd.Type.Params.List
		if len(params) == 2 {
			op.Request = typeName(params[1].Type)
		}
		if res := fd.Type.Results.List; len(res) == 2 {
			op.Response = typeName(res[0].Type)
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "CallContext" || len(call.Args) != 4 {
				return true
			}
			if lit, ok := call.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				got, _ := strconv.Unquote(lit.Value)
				if got != bop.action {
					edits = append(edits, edit{off(lit.Pos()), off(lit.End()), strconv.Quote(bop.action)})
					r.change(KindSOAPAction, "SOAPAction of %s set to %q (gowsdl compiled in %q)", bop.name, bop.action, got)
				}
			}
			// gowsdl passes struct{}{} (not a pointer) as the response of a void operation, so
			// any reply body fails with "non-pointer passed to Unmarshal".
			if cl, ok := call.Args[3].(*ast.CompositeLit); ok {
				if st, ok := cl.Type.(*ast.StructType); ok && len(st.Fields.List) == 0 {
					edits = append(edits, edit{off(cl.Pos()), off(cl.Pos()), "&"})
					voids++
				}
			}
			return false
		})
		ops = append(ops, op)
	}
	if voids > 0 {
		r.change(KindVoid, "%d void operation%s now pass &struct{}{} as the response (gowsdl passes struct{}{}, which fails on any reply body)", voids, plural(voids))
	}
	if len(ops) != len(p.ops) {
		return nil, nil, fmt.Errorf("gowsdl generated %d operations for the %d of binding %s (missing: %s); its log above may say why", len(ops), len(p.ops), p.binding, missingOps(p.ops, ops))
	}
	// Registry order is the binding's.
	order := map[string]int{}
	for i, op := range p.ops {
		order[op.name] = i
	}
	sort.Slice(ops, func(i, j int) bool { return order[ops[i].Name] < order[ops[j].Name] })

	out, err := format.Source(applyEdits(src, edits))
	if err != nil {
		return nil, nil, fmt.Errorf("repaired gowsdl output does not format: %w", err)
	}
	out, err = maxLengthTags(out, p.schemas, r)
	if err != nil {
		return nil, nil, err
	}
	return out, ops, nil
}

func missingOps(want []bindingOp, got []Operation) string {
	var miss []string
	for _, w := range want {
		if !slices.ContainsFunc(got, func(o Operation) bool { return o.Name == w.name }) {
			miss = append(miss, w.name)
		}
	}
	return strings.Join(miss, ", ")
}

// selfEmbedding matches `type T struct { *T }`.
func selfEmbedding(ts *ast.TypeSpec) bool {
	st, ok := ts.Type.(*ast.StructType)
	if !ok || len(st.Fields.List) != 1 || len(st.Fields.List[0].Names) != 0 {
		return false
	}
	star, ok := st.Fields.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == ts.Name.Name
}

// typeName is T for *T.
func typeName(e ast.Expr) string {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// registrySource renders registry.go: the generated operation table soapclient reads.
func registrySource(opts Options, p *prepared, ops []Operation) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by scimbridge gen from %s (binding %s). DO NOT EDIT.\n\n", opts.WSDLName, p.binding)
	fmt.Fprintf(&b, "package %s\n\n", opts.Package)
	b.WriteString("import (\n\t\"context\"\n\n\t\"github.com/hooklift/gowsdl/soap\"\n\n\t\"github.com/scimbridge/scimbridge/soapclient/soapreg\"\n)\n\n")
	fmt.Fprintf(&b, "// Registry lists the %d operations of binding %s,\n", len(ops), p.binding)
	b.WriteString("// in the WSDL's order, with their SOAPAction and a typed call; soapclient.Clients refers to it.\n")
	fmt.Fprintf(&b, "var Registry = soapreg.Client{\n\tPackage: %q,\n\tWSDL: %q,\n\tBinding: %q,\n\tOperations: []soapreg.Operation{\n", opts.Package, opts.WSDLName, p.binding)
	port := "New" + goName(p.portType) + "(c)"
	for _, op := range ops {
		req, arg := op.Request, ", req"
		if req == "" {
			req, arg = "soapreg.Void", ""
		}
		if op.Response == "" {
			fmt.Fprintf(&b, "\t\tsoapreg.VoidOp(%q, %q, func(ctx context.Context, c *soap.Client, req *%s) error {\n\t\t\treturn %s.%sContext(ctx%s)\n\t\t}),\n", op.Name, op.SOAPAction, req, port, op.Method, arg)
		} else {
			fmt.Fprintf(&b, "\t\tsoapreg.Op(%q, %q, func(ctx context.Context, c *soap.Client, req *%s) (*%s, error) {\n\t\t\treturn %s.%sContext(ctx%s)\n\t\t}),\n", op.Name, op.SOAPAction, req, op.Response, port, op.Method, arg)
		}
	}
	b.WriteString("\t},\n}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("registry source does not format: %w", err)
	}
	return out, nil
}
