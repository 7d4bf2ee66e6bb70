package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/internal/restsim"
	"github.com/scimbridge/scimbridge/internal/xmlcontent"
	"github.com/scimbridge/scimbridge/restclient"
)

// simREST runs the bundled REST simulator (scimbridge sim --kind rest): the OAuth2 client
// credentials it accepts are the --username and --password of the sim command.
func simREST(ctx context.Context, addr, user, pass string, log *slog.Logger, stdout, stderr io.Writer) int {
	err := restsim.ListenAndServe(ctx, addr, restsim.Options{ClientID: user, ClientSecret: pass, Logger: log}, func(base string) {
		// Tests read this line to learn the address when --listen asks for port 0.
		root := base[:len(base)-len(restsim.Base)]
		fmt.Fprintf(stdout, "restsim: listening on %s (OpenAPI: %s/openapi.yaml, token: %s; XML edition: %s%s)\n", base, base,
			root+"/oauth/token", root, restsim.XMLBase)
	})
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge sim:", err)
		return 1
	}
	return 0
}

const restUsage = `usage: scimbridge rest inspect [--skeleton FILE] OPENAPI-DOCUMENT

Lists the operations an OpenAPI 3 document gives a REST mapping (by operationId), with the Go
names of their request fields (path, query and header parameters, Body) and response fields, as
expressions and request paths spell them; and the operations the client cannot call, with why.
--skeleton writes a starter mapping file that check --mapping FILE --openapi DOCUMENT accepts.
`

// cmdREST is `scimbridge rest inspect`.
func cmdREST(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "inspect" {
		fmt.Fprint(stderr, restUsage)
		return 2
	}
	fs := flag.NewFlagSet("rest inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, restUsage) }
	skeleton := fs.String("skeleton", "", "write a starter mapping file here")
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
		fmt.Fprint(stderr, restUsage)
		return 2
	}
	def, err := restclient.LoadOpenAPI(positional[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, name := range def.Operations() {
		o, _ := def.Lookup(name)
		fmt.Fprintf(stdout, "%s  %s %s\n", name, o.Method, o.Path)
		x := o.XML != nil
		if x {
			fmt.Fprintf(stdout, "  XML: body <%s>, reply <%s>\n", orAny(o.XML.Body), orAny(o.XML.Response))
		}
		if o.Request.NumField() > 0 {
			fmt.Fprintln(stdout, "  request:")
			describeFields(stdout, o.Request, "    ", 0, x)
		}
		if o.Response.NumField() > 0 {
			fmt.Fprintln(stdout, "  response (resp):")
			describeFields(stdout, o.Response, "    ", 0, x)
		}
	}
	if len(def.Skipped) > 0 {
		fmt.Fprintln(stdout, "\nnot callable:")
		for _, k := range slices.Sorted(maps.Keys(def.Skipped)) {
			fmt.Fprintf(stdout, "  %s: %s\n", k, def.Skipped[k])
		}
	}
	if *skeleton != "" {
		if err := os.WriteFile(*skeleton, []byte(restSkeleton(def, positional[0])), 0o644); err != nil {
			fmt.Fprintln(stderr, "scimbridge rest inspect:", err)
			return 1
		}
		fmt.Fprintf(stdout, "\nwrote %s; check it with: scimbridge check --mapping %s --openapi %s\n", *skeleton, *skeleton, positional[0])
	}
	return 0
}

func orAny(root string) string {
	if root == "" {
		return "any"
	}
	return root
}

// describeFields prints a struct's fields, one per line, nested structs indented (bounded):
// with the JSON member, or for an XML operation the element (<a><b> for a wrapped list) or
// attribute (@a) each one reads.
func describeFields(w io.Writer, t reflect.Type, indent string, depth int, xml bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		json, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		note := ""
		if json != "" && json != "-" {
			note = "  (" + json + ")"
		}
		if name, opts, _ := strings.Cut(f.Tag.Get("xml"), ","); xml && name != "" && name != "-" {
			if strings.HasPrefix(opts, "attr") {
				note = "  (@" + name + ")"
			} else {
				note = "  (<" + strings.ReplaceAll(name, ">", "><") + ">)"
			}
		}
		inner := f.Type
		for inner.Kind() == reflect.Pointer || inner.Kind() == reflect.Slice {
			inner = inner.Elem()
		}
		fmt.Fprintf(w, "%s%s %s%s\n", indent, f.Name, typeText(f.Type), note)
		if inner.Kind() == reflect.Struct && inner != reflect.TypeOf(time.Time{}) && inner != reflect.TypeOf(xmlcontent.Content{}) && depth < 4 {
			describeFields(w, inner, indent+"  ", depth+1, xml)
		}
	}
}

func typeText(t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return "time"
	case t == reflect.TypeOf(xmlcontent.Content{}):
		return "xml"
	case t.Kind() == reflect.Pointer:
		return typeText(t.Elem())
	case t.Kind() == reflect.Slice:
		return "[]" + typeText(t.Elem())
	case t.Kind() == reflect.Struct:
		return "object"
	case t.Kind() == reflect.Interface:
		return "any"
	case t.Kind() == reflect.Int64:
		return "int"
	case t.Kind() == reflect.Float64:
		return "number"
	}
	return t.Kind().String()
}

// restSkeleton is a starter mapping: users.get wired to the likeliest read of one user, toSCIM
// with id and userName from the likeliest fields, every other operation listed for the author.
func restSkeleton(def *restclient.Definition, doc string) string {
	var get string
	var rec reflect.Type
	var recExpr string
	for _, name := range def.Operations() {
		o, _ := def.Lookup(name)
		if o.Method != "GET" || !strings.Contains(strings.ToLower(o.Path), "user") || !strings.HasSuffix(strings.TrimSuffix(o.Path, ".json"), "}") {
			continue
		}
		// The record: the response itself, or its one object member ({"user": {...}}).
		r, expr := o.Response, "resp"
		if r.NumField() == 1 && r.Field(0).Type.Kind() == reflect.Pointer && r.Field(0).Type.Elem().Kind() == reflect.Struct {
			r, expr = r.Field(0).Type.Elem(), "resp."+r.Field(0).Name
		}
		get, rec, recExpr = name, r, expr
		break
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Starter mapping written by scimbridge rest inspect from %s.\n", doc)
	b.WriteString("# Check it with scimbridge check --mapping THIS --openapi DOCUMENT; docs/mapping.md explains every key.\n")
	b.WriteString("# The operations (by operationId):\n")
	for _, name := range def.Operations() {
		o, _ := def.Lookup(name)
		fmt.Fprintf(&b, "#   %-24s %s %s\n", name, o.Method, o.Path)
	}
	b.WriteString("\nclient: app                     # TODO: a name for this backend (metrics, logs)\n\n")
	b.WriteString("faults:                         # faultCode is the HTTP status; pattern/detailCode read the error body\n")
	b.WriteString("  - { faultCode: \"404\", kind: notFound }\n  - { faultCode: \"409\", kind: conflict }\n  - { faultCode: \"422\", kind: invalid, exposeDetail: true }\n\n")
	b.WriteString("users:\n  toSCIM:\n")
	pick := func(cands ...string) string {
		if rec == nil {
			return ""
		}
		for _, c := range cands {
			for i := 0; i < rec.NumField(); i++ {
				if strings.EqualFold(rec.Field(i).Name, c) {
					return rec.Field(i).Name
				}
			}
		}
		return ""
	}
	id, user := pick("Id", "Uid", "UserId", "Key"), pick("UserName", "Login", "Username", "Name", "Email", "Mail")
	if get == "" || id == "" || user == "" {
		b.WriteString("    id: '\"TODO\"'                  # TODO: no read of one user was recognised; wire users.get\n")
		b.WriteString("    userName: '\"TODO\"'\n")
		fmt.Fprintf(&b, "  get: { call: %s, result: resp }   # TODO\n", def.Operations()[0])
		return b.String()
	}
	idExpr := "rec." + id
	if f, _ := rec.FieldByName(id); f.Type != reflect.TypeOf(new(string)) {
		idExpr = "string(rec." + id + ")"
	}
	fmt.Fprintf(&b, "    id: %s\n    userName: rec.%s\n", idExpr, user)
	b.WriteString("    # TODO: name.givenName, name.familyName, emails.work, active, meta.lastModified ...\n")
	o, _ := def.Lookup(get)
	req := "{}"
	for i := 0; i < o.Request.NumField(); i++ {
		if o.Request.Field(i).Type.Kind() == reflect.String { // the path parameter
			req = "{ " + o.Request.Field(i).Name + ": id }"
			break
		}
	}
	fmt.Fprintf(&b, "  get: { call: %s, request: %s, result: %s }\n", get, req, recExpr)
	b.WriteString("  # TODO: create, list (paging), search, replace, setPassword, delete; groups\n")
	return b.String()
}
