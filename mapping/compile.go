package mapping

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/internal/diag"
)

// Options tunes Compile. The zero value is ready to use.
type Options struct {
	// Functions is the expression function library. Nil means Functions().
	Functions map[string]Function
	// MaxNodes bounds the size of every expression (expr's node budget). Zero means 1000.
	MaxNodes uint
	// MaxUnpaged caps a listing whose client asked for no paging (Query.Count < 0); the true
	// total is still reported. Zero means 1000.
	MaxUnpaged int

	// onCompile, when set (tests), is given every compiled expression and its environment.
	onCompile func(p *program, env map[string]any)
}

const (
	defaultMaxNodes   = 1000
	defaultMaxUnpaged = 1000
)

// program is one compiled expression.
type program struct {
	src string
	at  Pos
	p   *vm.Program
	// direct, when set, reads the same value as p without the VM (a plain access path).
	direct *access
}

// assignment sets one field path from an expression.
type assignment struct {
	path fieldPath
	expr *program
	// from is the SCIM attribute the expression is, when it is one (for a length error).
	from string
}

// paging is a compiled paging block.
type paging struct {
	style                     string // pageNumber, offset, none
	page, offset, size, limit *fieldPath
	maxSize                   int
	ttl                       time.Duration
}

// step is one compiled call.
type step struct {
	call    string
	req     reflect.Type
	resp    reflect.Type
	record  *fieldPath
	request []assignment
	result  *program
	items   *program
	total   *program
	paging  *paging
	// fetch, when set, reads every item (an id) with this get operation.
	fetch operation
	when  *program
	as    string
	fail  *failStep
	// readKey names the operation this step begins in a request's read cache (getRecord):
	// made once here rather than formatted on every read.
	readKey string
	// sort sets the sort fields of a list call (users.sort, groups.sort).
	sort *sorting
}

// failStep ends an operation with an error instead of calling anything.
type failStep struct {
	kind    backend.Kind
	message string
}

// operation is what a contract method runs: a list of steps. v0 files give one step each.
type operation []*step

func (o operation) last() *step { return o[len(o)-1] }

// searchRule is a compiled push-down rule.
type searchRule struct {
	shape  string
	useGet bool
	op     operation
}

type toSCIM[T any] struct {
	key string
	set attrSetter[T]
	p   *program
	// str is the attribute's field when it is a plain string and p a plain access path: the
	// value is then read without boxing it (see apply).
	str func(*T) *string
}

// apply reads t's value from env into r.
func (t *toSCIM[T]) apply(r *T, env map[string]any) error {
	if t.str != nil && !vmOnly {
		if s, ok := t.p.direct.getString(env); ok {
			if stringCheck != nil {
				stringCheck(t.p, env, s)
			}
			*t.str(r) = s
			return nil
		}
	}
	v, err := t.p.run(env)
	if err != nil {
		return err
	}
	return t.set(r, plain(v))
}

type fromSCIM struct {
	path fieldPath
	p    *program
	from string // the SCIM attribute the expression is, when it is one
}

// users is the compiled users block.
type users struct {
	rec         reflect.Type
	toSCIM      []toSCIM[backend.User]
	fromSCIM    []fromSCIM
	create      operation
	get         operation
	list        operation
	search      []searchRule
	maxScan     int // 0: no fallback scan
	replace     operation
	absentClear bool
	activate    operation
	deactivate  operation
	setPassword operation
	delete      operation
	createID    *program
	// checkExisting: create looks the userName up first and answers conflict when it exists.
	checkExisting bool
	// tracked: lastModified comes from the change tracker (changeTracking: hash).
	tracked bool
	sort    *sorting
}

// groups is the compiled groups block.
type groups struct {
	rec          reflect.Type
	toSCIM       []toSCIM[backend.Group]
	create       operation
	get          operation
	list         operation
	maxScan      int
	rename       operation
	addMember    operation
	removeMember operation
	update       operation // updateMembers
	skipUnknown  bool
	delete       operation
	createID     *program
	renameID     *program
	surrogate    bool
	// checkExisting: create looks the displayName up first and answers conflict when it exists.
	checkExisting bool
	sort          *sorting
}

// faultRule is a compiled fault rule.
type faultRule struct {
	faultCode, detailCode string
	pattern               *regexp.Regexp
	kind                  backend.Kind
	message               string
	exposeDetail          bool
	breaker               *bool // nil: the default (see Engine.countsTowardsBreaker)
	detailPattern         *regexp.Regexp
}

// Engine is a compiled mapping file. It is immutable and safe for concurrent use; Backend
// binds it to an Invoker.
type Engine struct {
	client     string
	faults     []faultRule
	users      *users
	groups     *groups
	caps       backend.Capabilities
	maxUnpaged int
	// detailCode and detailMessage are faultDetail's XPaths ("" when not given).
	detailCode, detailMessage string
	// userLimits and groupLimits are the attributes' length limits (maxlength.go).
	userLimits, groupLimits lengthLimits
}

// Client names the generated client the file was written for; the wiring code resolves it.
func (e *Engine) Client() string { return e.client }

// Capabilities is what the file's blocks make possible.
func (e *Engine) Capabilities() backend.Capabilities {
	c := e.caps
	c.FilterUsers = append([]string(nil), e.caps.FilterUsers...)
	return c
}

// compiler holds what Compile needs while walking the spec.
type compiler struct {
	ps      *problems
	cat     Catalog
	exprOpt []expr.Option
	// onCompile is Options.onCompile.
	onCompile func(p *program, env map[string]any)
}

// Compile checks spec against the operations of cat and compiles every expression once. All
// problems are returned together as an ErrorList (file:line:col: message).
func Compile(spec *Spec, cat Catalog, opts Options) (*Engine, error) {
	if spec == nil {
		return nil, fmt.Errorf("mapping: Compile called without a spec")
	}
	if cat == nil {
		return nil, fmt.Errorf("mapping: Compile called without an operation catalog")
	}
	c := &compiler{ps: &problems{diag.Collector{File: spec.File}}, cat: cat, onCompile: opts.onCompile}
	fns := opts.Functions
	if fns == nil {
		fns = Functions()
	}
	maxNodes := opts.MaxNodes
	if maxNodes == 0 {
		maxNodes = defaultMaxNodes
	}
	names := make([]string, 0, len(fns))
	for n := range fns {
		names = append(names, n)
	}
	sort.Strings(names)
	// Expressions are pure: no clock, and nothing but the environment and the library.
	c.exprOpt = []expr.Option{expr.MaxNodes(maxNodes), expr.DisableBuiltin("now"), expr.DisableBuiltin("date")}
	for _, n := range names {
		f := fns[n]
		if f.Fn == nil {
			c.ps.add(Pos{}, "function %q has no implementation", n)
			continue
		}
		c.exprOpt = append(c.exprOpt, expr.Function(n, f.Fn, f.Types...))
	}

	e := &Engine{client: spec.Client.Value, maxUnpaged: opts.MaxUnpaged}
	if e.maxUnpaged <= 0 {
		e.maxUnpaged = defaultMaxUnpaged
	}
	if !spec.Client.Set() {
		c.ps.add(spec.At, "client: required (the name of the generated client, e.g. legacyhr)")
	}
	e.faults = c.faults(spec.Faults)
	if fd := spec.FaultDetail; fd != nil {
		if !fd.Code.Set() && !fd.Message.Set() {
			c.ps.add(fd.At, "faultDetail: give code or message (an XPath over the fault's detail)")
		}
		for _, t := range []struct {
			text Text
			dst  *string
			what string
		}{{fd.Code, &e.detailCode, "code"}, {fd.Message, &e.detailMessage, "message"}} {
			if !t.text.Set() {
				continue
			}
			if _, err := compileXPath(t.text.Value); err != nil {
				c.ps.add(t.text.At, "faultDetail.%s: %v", t.what, err)
				continue
			}
			*t.dst = t.text.Value
		}
	}
	if spec.Users == nil {
		c.ps.add(spec.At, "users: required")
	} else {
		e.users = c.users(spec.Users)
	}
	if spec.Groups != nil {
		e.groups = c.groups(spec.Groups)
	}
	if u := e.users; u != nil {
		keys := make([]string, 0, len(u.toSCIM))
		for _, t := range u.toSCIM {
			keys = append(keys, t.key)
		}
		u.sort = c.sorting(spec.Users.Sort, "users", u.list, keys)
	}
	if g := e.groups; g != nil {
		keys := make([]string, 0, len(g.toSCIM))
		for _, t := range g.toSCIM {
			keys = append(keys, t.key)
		}
		g.sort = c.sorting(spec.Groups.Sort, "groups", g.list, keys)
	}
	e.userLimits, e.groupLimits = lengthLimits{}, lengthLimits{}
	if u := e.users; u != nil {
		for _, f := range u.fromSCIM {
			e.userLimits.fromSchema(f.path, f.p.src, "user")
		}
		for _, op := range []operation{u.create, u.replace} {
			e.userLimits.fromSteps(op, "user")
		}
		c.maxLengths(spec.Users.MaxLength, "users", userLengthAttrs, true, e.userLimits)
	}
	if g := e.groups; g != nil {
		for _, op := range []operation{g.create, g.rename} {
			e.groupLimits.fromSteps(op, "group")
		}
		c.maxLengths(spec.Groups.MaxLength, "groups", groupLengthAttrs, false, e.groupLimits)
	}
	if err := c.ps.err(); err != nil {
		return nil, err
	}
	e.caps = capabilities(e.users, e.groups)
	return e, nil
}

func kindNames() []string {
	return []string{"internal", "notFound", "conflict", "invalid", "policy", "unavailable", "timeout", "failed"}
}

func kindByName(s string) (backend.Kind, bool) {
	for _, k := range []backend.Kind{backend.Internal, backend.NotFound, backend.Conflict, backend.Invalid,
		backend.Policy, backend.Unavailable, backend.Timeout, backend.Failed} {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

func (c *compiler) faults(rules []FaultRule) []faultRule {
	var out []faultRule
	for i, r := range rules {
		what := fmt.Sprintf("faults[%d]", i)
		if !r.FaultCode.Set() && !r.DetailCode.Set() && !r.Pattern.Set() && !r.DetailPattern.Set() {
			c.ps.add(r.At, "%s: a rule needs faultCode, detailCode or pattern", what)
		}
		var re, dre *regexp.Regexp
		if r.Pattern.Set() {
			var err error
			if re, err = regexp.Compile(r.Pattern.Value); err != nil {
				c.ps.add(r.Pattern.At, "%s.pattern: %v", what, err)
			}
		}
		if r.DetailPattern.Set() {
			var err error
			if dre, err = regexp.Compile(r.DetailPattern.Value); err != nil {
				c.ps.add(r.DetailPattern.At, "%s.detailPattern: %v", what, err)
			}
		}
		k, ok := kindByName(r.Kind.Value)
		switch {
		case !r.Kind.Set():
			c.ps.add(r.At, "%s: kind: required", what)
		case !ok:
			c.ps.add(r.Kind.At, "%s.kind: unknown kind %q (one of %s)%s", what, r.Kind.Value,
				strings.Join(kindNames(), ", "), didYouMean(r.Kind.Value, kindNames()))
		}
		var counts *bool
		switch r.Breaker.Value {
		case "":
		case "true", "false":
			v := r.Breaker.Value == "true"
			counts = &v
			if v && ok && businessKind(k) {
				c.ps.add(r.Breaker.At, "%s.breaker: a %s fault is the application judging the request, not failing; it cannot count towards the breaker", what, k)
			}
		default:
			c.ps.add(r.Breaker.At, "%s.breaker: want true or false, not %q", what, r.Breaker.Value)
		}
		out = append(out, faultRule{faultCode: r.FaultCode.Value, detailCode: r.DetailCode.Value, pattern: re,
			detailPattern: dre, kind: k, message: r.Message.Value, exposeDetail: r.ExposeDetail, breaker: counts})
	}
	return out
}

// compileExpr compiles t against env (names → sample values whose types expr checks against).
func (c *compiler) compileExpr(t Text, what string, env map[string]any) *program {
	if !t.Set() {
		return nil
	}
	opts := append([]expr.Option{expr.Env(env)}, c.exprOpt...)
	p, err := expr.Compile(t.Value, opts...)
	if err != nil {
		c.ps.add(t.At, "%s: %s%s", what, exprError(err), exprFieldHint(strings.TrimSpace(firstLine(err.Error())), env))
		return nil
	}
	if bad := checkXPaths(p.Node()); len(bad) > 0 {
		for _, m := range bad {
			c.ps.add(t.At, "%s: %s", what, m)
		}
		return nil
	}
	prog := &program{src: t.Value, at: t.At, p: p, direct: plainAccess(p)}
	if c.onCompile != nil {
		c.onCompile(prog, env)
	}
	return prog
}

// exprError keeps the first line of expr's error; the following lines repeat the source with
// a caret, which the file position already gives.
func exprError(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return "expression " + shortenStructs(strings.TrimSpace(msg))
}

// outType is the static result type of a compiled expression (nil when unknown).
func outType(p *program) reflect.Type {
	if p == nil || p.p.Node() == nil {
		return nil
	}
	return p.p.Node().Type()
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// sample returns a value of *t for the compile-time environment, or nil when t is unknown.
func sample(t reflect.Type) any {
	if t == nil {
		return nil
	}
	return reflect.New(t).Interface()
}

// stepEnv lists the names a step's request expressions may use, beyond `resp`.
type stepEnv map[string]any

func with(env stepEnv, k string, v any) stepEnv {
	out := make(stepEnv, len(env)+1)
	for a, b := range env {
		out[a] = b
	}
	out[k] = v
	return out
}

// stepOpts tells compileStep what the block needs.
type stepOpts struct {
	rec        reflect.Type // the record type (nil when unknown)
	record     bool         // the step may name a record field
	needResult bool
	needItems  bool
	allowList  bool      // items, total, paging and fetch are allowed
	allowID    bool      // the block may give `id` instead of a result
	get        operation // what fetch: get reads with
	// optionalRecord: in a multi-step block one step names the record, not every one.
	optionalRecord bool
	// flat: the file has no fromSCIM, so create and replace take flat request parameters built
	// from user (and current), and no step needs record.
	flat bool
}

// dynamic reports whether records are maps built by expressions rather than generated structs.
func dynamic(rec reflect.Type) bool { return rec != nil && rec.Kind() == reflect.Map }

var (
	mapType  = reflect.TypeOf(map[string]any{})
	identRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	envNames = []string{"resp", "id", "user", "current", "group", "member", "password", "value", "rec", "add", "remove"}
	stepKeys = "call, record, request, result, when, as, fail"
)

// op compiles an operation block: one step (the v0 form) or `steps:`, where each step may
// bind its response (`as`) for the steps after it and run only under a condition (`when`).
func (c *compiler) op(s *Step, what string, env stepEnv, o stepOpts) operation {
	if s == nil {
		return nil
	}
	if s.ID.Set() && !o.allowID {
		c.ps.add(s.ID.At, "%s.id: not used by this block", what)
	}
	if s.CheckExisting && !o.allowID {
		c.ps.add(s.At, "%s.checkExisting: only create blocks look up before writing", what)
	}
	if len(s.Steps) == 0 {
		st := c.step(s, what, env, o)
		if st == nil {
			return nil
		}
		if o.needResult && !s.Result.Set() && !(o.allowID && s.ID.Set()) {
			c.needResult(s.At, what, o)
		}
		return operation{st}
	}
	if s.Call.Set() || s.Record.Set() || len(s.Request) > 0 || s.Result.Set() || s.When.Set() || s.As.Set() || s.Fail != nil {
		c.ps.add(s.At, "%s: give either steps or the keys of one step (%s), not both", what, stepKeys)
	}
	if o.allowList {
		c.ps.add(s.At, "%s.steps: a list block is one call; steps are for the other blocks", what)
		return nil
	}
	var op operation
	sub := o
	sub.needResult, sub.optionalRecord = false, true
	hasResult, hasRecord := false, false
	for i := range s.Steps {
		ss := &s.Steps[i]
		w := fmt.Sprintf("%s.steps[%d]", what, i)
		if len(ss.Steps) > 0 {
			c.ps.add(ss.At, "%s.steps: steps do not nest", w)
			continue
		}
		if ss.ID.Set() {
			c.ps.add(ss.ID.At, "%s.id: id belongs to the block, not to one of its steps", w)
		}
		if ss.CheckExisting {
			c.ps.add(ss.At, "%s.checkExisting: belongs to the block, not to one of its steps", w)
		}
		st := c.step(ss, w, env, sub)
		if st == nil {
			continue
		}
		hasResult = hasResult || ss.Result.Set()
		hasRecord = hasRecord || st.record != nil
		if st.as != "" {
			env = with(env, st.as, sample(st.respType()))
		}
		op = append(op, st)
	}
	if o.needResult && !hasResult && !(o.allowID && s.ID.Set()) {
		c.needResult(s.At, what, o)
	}
	if o.record && !o.flat && !dynamic(o.rec) && !hasRecord && len(op) == len(s.Steps) {
		c.ps.add(s.At, "%s: one step needs record: (the request field that receives the record)", what)
	}
	if len(op) == 0 {
		return nil
	}
	return op
}

func (c *compiler) needResult(at Pos, what string, o stepOpts) {
	if o.allowID {
		c.ps.add(at, "%s: result or id: required (the expression that gives the record, or the new id to read it with get)", what)
		return
	}
	c.ps.add(at, "%s: result: required (the expression that gives the record, e.g. resp.Employee)", what)
}

// respType is the response type of a step (nil for a fail step).
func (st *step) respType() reflect.Type {
	if st.resp == nil {
		return nil
	}
	return st.resp
}

func (c *compiler) step(s *Step, what string, env stepEnv, o stepOpts) *step {
	st := &step{}
	st.readKey = fmt.Sprintf("%p", st)
	if s.When.Set() {
		st.when = c.compileExpr(s.When, what+".when", env)
		if t := deref(outType(st.when)); st.when != nil && t != nil && t.Kind() != reflect.Bool && t.Kind() != reflect.Interface {
			c.ps.add(s.When.At, "%s.when: the condition gives %s, not a boolean", what, t)
		}
	}
	if s.As.Set() {
		switch {
		case !identRE.MatchString(s.As.Value):
			c.ps.add(s.As.At, "%s.as: %q is not a name (letters, digits, _)", what, s.As.Value)
		case containsString(envNames, s.As.Value) || env[s.As.Value] != nil:
			c.ps.add(s.As.At, "%s.as: %q is already a name in this block", what, s.As.Value)
		default:
			st.as = s.As.Value
		}
	}
	if s.Fail != nil {
		if s.Call.Set() || len(s.Request) > 0 || s.Result.Set() || s.Record.Set() || s.As.Set() {
			c.ps.add(s.Fail.At, "%s.fail: a fail step calls nothing; give only when and fail", what)
		}
		k, ok := kindByName(s.Fail.Kind.Value)
		switch {
		case !s.Fail.Kind.Set():
			c.ps.add(s.Fail.At, "%s.fail: kind: required", what)
		case !ok:
			c.ps.add(s.Fail.Kind.At, "%s.fail.kind: unknown kind %q (one of %s)%s", what, s.Fail.Kind.Value,
				strings.Join(kindNames(), ", "), didYouMean(s.Fail.Kind.Value, kindNames()))
		}
		if !s.Fail.Message.Set() {
			c.ps.add(s.Fail.At, "%s.fail: message: required (what the SCIM client is told)", what)
		}
		st.fail = &failStep{kind: k, message: s.Fail.Message.Value}
		return st
	}
	if !s.Call.Set() {
		c.ps.add(s.At, "%s: call: required", what)
		return nil
	}
	info, ok := c.cat.Operation(s.Call.Value)
	if !ok {
		c.ps.add(s.Call.At, "%s.call: unknown operation %q%s", what, s.Call.Value, didYouMean(s.Call.Value, c.cat.Operations()))
		return nil
	}
	if info.Request == nil || info.Request.Kind() != reflect.Struct || info.Response == nil || info.Response.Kind() != reflect.Struct {
		c.ps.add(s.Call.At, "%s.call: the catalog describes %q without struct request and response types", what, s.Call.Value)
		return nil
	}
	st.call, st.req, st.resp = info.Name, info.Request, info.Response
	if st.call == "" {
		st.call = s.Call.Value
	}
	if s.Record.Set() {
		switch {
		case !o.record:
			c.ps.add(s.Record.At, "%s.record: not used by this block", what)
		case dynamic(o.rec):
			c.ps.add(s.Record.At, "%s.record: the record is built by expressions (get's result is a map); set request fields from user instead", what)
		default:
			if fp, err := resolvePath(info.Request, s.Record.Value); err != nil {
				c.ps.add(s.Record.At, "%s.record: %v", what, err)
			} else if o.rec != nil && deref(fp.leaf) != o.rec {
				c.ps.add(s.Record.At, "%s.record: %s.%s is a %s, not the record type %s", what, info.Request.Name(), s.Record.Value, fp.leaf, o.rec)
			} else {
				st.record = &fp
			}
		}
	} else if o.record && !o.optionalRecord && !o.flat && !dynamic(o.rec) {
		c.ps.add(s.At, "%s: record: required (the request field that receives the record)", what)
	}
	for _, en := range s.Request {
		w := what + ".request." + en.Key.Value
		fp, err := resolvePath(info.Request, en.Key.Value)
		if err != nil {
			c.ps.add(en.Key.At, "%s: %v", w, err)
			continue
		}
		p := c.compileExpr(en.Value, w, env)
		if p == nil {
			continue
		}
		if msg := incompatible(outType(p), fp.leaf); msg != "" {
			c.ps.add(en.Value.At, "%s: %s", w, msg)
			continue
		}
		from := plainAttr(p.src, "user")
		if from == "" {
			from = plainAttr(p.src, "group")
		}
		st.request = append(st.request, assignment{path: fp, expr: p, from: from})
	}
	respEnv := with(env, "resp", sample(info.Response))
	if s.Result.Set() {
		st.result = c.compileExpr(s.Result, what+".result", respEnv)
		if st.result != nil && o.rec != nil {
			if t := deref(outType(st.result)); t != nil && t.Kind() != reflect.Interface && t != o.rec {
				c.ps.add(s.Result.At, "%s.result: the expression gives %s, not the record type %s", what, outType(st.result), o.rec)
			}
		}
	}
	listKeys := []struct {
		t    Text
		name string
	}{{s.Items, "items"}, {s.Total, "total"}, {s.Fetch, "fetch"}}
	for _, k := range listKeys {
		if k.t.Set() && !o.allowList {
			c.ps.add(k.t.At, "%s.%s: not used by this block", what, k.name)
		}
	}
	if s.Paging != nil && !o.allowList {
		c.ps.add(s.Paging.At, "%s.paging: not used by this block", what)
	}
	if o.allowList {
		if s.Fetch.Set() {
			if s.Fetch.Value != "get" {
				c.ps.add(s.Fetch.At, "%s.fetch: unknown block %q; items can be fetched with \"get\"", what, s.Fetch.Value)
			} else {
				st.fetch = o.get
			}
		}
		if s.Items.Set() {
			st.items = c.compileExpr(s.Items, what+".items", respEnv)
			if t := outType(st.items); st.items != nil && t != nil && t.Kind() != reflect.Interface {
				switch {
				case t.Kind() != reflect.Slice:
					c.ps.add(s.Items.At, "%s.items: the expression gives %s, not a list of records", what, t)
				case s.Fetch.Set():
					if k := deref(t.Elem()).Kind(); k != reflect.String && k != reflect.Interface {
						c.ps.add(s.Items.At, "%s.items: with fetch, the expression must give a list of ids, it gives %s", what, t)
					}
				case o.rec != nil && deref(t.Elem()) != o.rec && t.Elem().Kind() != reflect.Interface:
					c.ps.add(s.Items.At, "%s.items: the expression gives %s, not a list of %s", what, t, o.rec)
				}
			}
		} else if o.needItems {
			c.ps.add(s.At, "%s: items: required (the expression that gives the records, e.g. resp.Employees)", what)
		}
		if s.Total.Set() {
			st.total = c.compileExpr(s.Total, what+".total", respEnv)
			if t := deref(outType(st.total)); st.total != nil && t != nil && !isNumberKind(t.Kind()) && t.Kind() != reflect.Interface {
				c.ps.add(s.Total.At, "%s.total: the expression gives %s, not a number", what, t)
			}
		}
		if s.Paging != nil {
			st.paging = c.paging(s.Paging, what+".paging", info.Request)
			if st.paging != nil && st.paging.style != "none" && !s.Total.Set() {
				c.ps.add(s.Paging.At, "%s: total: required with paging (the expression that gives the number of matches)", what)
			}
		}
	}
	return st
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isNumberKind(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Float64
}

var pagingStyles = []string{"pageNumber", "offset", "none"}

func (c *compiler) paging(p *Paging, what string, req reflect.Type) *paging {
	out := &paging{style: p.Style.Value, maxSize: p.MaxSize}
	type field struct {
		t    Text
		name string
		dst  **fieldPath
	}
	var need, allow []field
	page := field{p.Page, "page", &out.page}
	offset := field{p.Offset, "offset", &out.offset}
	size := field{p.Size, "size", &out.size}
	limit := field{p.Limit, "limit", &out.limit}
	switch p.Style.Value {
	case "pageNumber":
		need = []field{page, size}
	case "offset":
		need = []field{offset, size}
	case "none":
		allow = []field{limit}
	case "":
		c.ps.add(p.At, "%s: style: required (%s)", what, strings.Join(pagingStyles, ", "))
		return nil
	default:
		c.ps.add(p.Style.At, "%s.style: unknown paging style %q (one of %s)%s", what, p.Style.Value,
			strings.Join(pagingStyles, ", "), didYouMean(p.Style.Value, pagingStyles))
		return nil
	}
	if p.MaxSize <= 0 {
		c.ps.add(p.At, "%s: maxSize: required, a positive number (the largest page the application serves)", what)
	}
	if p.SnapshotTTL.Set() {
		d, err := time.ParseDuration(p.SnapshotTTL.Value)
		switch {
		case p.Style.Value != "none":
			c.ps.add(p.SnapshotTTL.At, "%s.snapshotTTL: only style none keeps snapshots", what)
		case err != nil || d < 0:
			c.ps.add(p.SnapshotTTL.At, "%s.snapshotTTL: %q is not a duration such as \"2m\"", what, p.SnapshotTTL.Value)
		default:
			out.ttl = d
		}
	}
	for _, f := range []field{page, offset, size, limit} {
		needed, allowed := false, false
		for _, n := range need {
			needed = needed || n.name == f.name
		}
		for _, a := range allow {
			allowed = allowed || a.name == f.name
		}
		if !f.t.Set() {
			if needed {
				c.ps.add(p.At, "%s: %s: required (the request field)", what, f.name)
			}
			continue
		}
		if !needed && !allowed {
			c.ps.add(f.t.At, "%s.%s: not used by paging style %s", what, f.name, p.Style.Value)
			continue
		}
		fp, err := resolvePath(req, f.t.Value)
		if err != nil {
			c.ps.add(f.t.At, "%s.%s: %v", what, f.name, err)
			continue
		}
		if !isNumberKind(deref(fp.leaf).Kind()) {
			c.ps.add(f.t.At, "%s.%s: %s is a %s, not a number", what, f.name, f.t.Value, fp.leaf)
			continue
		}
		*f.dst = &fp
	}
	return out
}

// incompatible says why a value of static type from can never be stored in a field of type
// to, or "" when it can or when the type is only known at run time.
func incompatible(from, to reflect.Type) string {
	from, to = deref(from), deref(to)
	if from == nil || to == nil || from.Kind() == reflect.Interface || from == to {
		return ""
	}
	scalar := func(k reflect.Kind) bool { return k == reflect.String || k == reflect.Bool || isNumberKind(k) }
	ok := true
	switch {
	case to == xsdDateTimeType || to == timeType:
		ok = from == timeType || from == xsdDateTimeType || from.Kind() == reflect.String
	case to.Kind() == reflect.String:
		ok = scalar(from.Kind()) || from == timeType || from == xsdDateTimeType
	case to.Kind() == reflect.Bool:
		ok = from.Kind() == reflect.Bool || from.Kind() == reflect.String
	case isNumberKind(to.Kind()):
		ok = isNumberKind(from.Kind()) || from.Kind() == reflect.String
	case to.Kind() == reflect.Slice:
		ok = from.Kind() == reflect.Slice || from.Kind() == reflect.Array
	case to.Kind() == reflect.Struct:
		ok = from.Kind() == reflect.Map
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("cannot store a value of type %s in a field of type %s", from, to)
}

// recordOf compiles a get block and derives the record type from its result expression.
func (c *compiler) recordOf(get *Step, what string, env stepEnv) (operation, reflect.Type) {
	op := c.op(get, what, env, stepOpts{needResult: true})
	if op == nil {
		return op, nil
	}
	var last *step
	for _, st := range op {
		if st.result != nil {
			last = st
		}
	}
	if last == nil {
		return op, nil
	}
	t := deref(outType(last.result))
	if t != nil && (t.Kind() == reflect.Map && t.Key().Kind() == reflect.String || t.Kind() == reflect.Interface) {
		// A record built by the expression ({"userName": id, "claims": …}) or read by XPath
		// (xpathOne gives a record of attributes and child elements): toSCIM reads it
		// dynamically; at run time anything but a map is "no record".
		return op, mapType
	}
	if t == nil || t.Kind() != reflect.Struct {
		c.ps.add(last.result.at, "%s.result: the expression must give a record (a structure or a map), it gives %v", what, outType(last.result))
		return op, nil
	}
	return op, t
}

// namesRecord reports whether a block or one of its steps names a record field.
func namesRecord(s *Step) bool {
	if s.Record.Set() {
		return true
	}
	for i := range s.Steps {
		if s.Steps[i].Record.Set() {
			return true
		}
	}
	return false
}

// getAnswers says why get cannot answer a filter shape ("" when it can): get reads by id, so it
// answers "id eq" and the eq shapes of attributes toSCIM maps exactly as it maps id (an
// application whose id is the login name answers "userName eq" with get).
func getAnswers(shape string, toSCIM Entries) string {
	attr, ok := strings.CutSuffix(shape, " eq")
	if !ok {
		return fmt.Sprintf("get answers only eq shapes, not %q", shape)
	}
	if attr == "id" {
		return ""
	}
	var idExpr, attrExpr string
	for _, en := range toSCIM {
		switch {
		case en.Key.Value == "id":
			idExpr = strings.TrimSpace(en.Value.Value)
		case strings.EqualFold(en.Key.Value, attr):
			attrExpr = strings.TrimSpace(en.Value.Value)
		}
	}
	if idExpr == "" || attrExpr != idExpr {
		return fmt.Sprintf("get answers %q only when toSCIM maps %s exactly as id (id is %q, %s is %q)", shape, attr, idExpr, attr, attrExpr)
	}
	return ""
}

func (c *compiler) users(u *Users) *users {
	out := &users{}
	if u.Get == nil {
		c.ps.add(u.At, "users: get: required (how to read one user)")
	} else {
		out.get, out.rec = c.recordOf(u.Get, "users.get", stepEnv{"id": ""})
	}
	recEnv := stepEnv{"rec": sample(out.rec)}
	seen := map[string]bool{}
	for _, en := range u.ToSCIM {
		w := "users.toSCIM." + en.Key.Value
		set, err := userAttr(en.Key.Value)
		if err != nil {
			c.ps.add(en.Key.At, "users.toSCIM: %v", err)
			continue
		}
		seen[en.Key.Value] = true
		if out.rec == nil {
			continue // the record type is unknown; its problem is already reported
		}
		if p := c.compileExpr(en.Value, w, recEnv); p != nil {
			t := toSCIM[backend.User]{key: en.Key.Value, set: set, p: p}
			if f, ok := userStrFields[en.Key.Value]; ok && p.direct != nil {
				t.str = f
			}
			out.toSCIM = append(out.toSCIM, t)
		}
	}
	for _, k := range []string{"id", "userName"} {
		if !seen[k] {
			c.ps.add(u.At, "users.toSCIM: %s: required", k)
		}
	}
	userEnv := stepEnv{"user": map[string]any{}, "current": sample(out.rec)}
	if dynamic(out.rec) && len(u.FromSCIM) > 0 {
		c.ps.add(u.FromSCIM[0].Key.At, "users.fromSCIM: the record is built by expressions (get's result is a map); set request fields from user instead")
	}
	for _, en := range u.FromSCIM {
		w := "users.fromSCIM." + en.Key.Value
		if out.rec == nil || dynamic(out.rec) {
			continue // the record type is unknown (already reported) or has no fields
		}
		fp, err := resolvePath(out.rec, en.Key.Value)
		if err != nil {
			c.ps.add(en.Key.At, "%s: %v", w, err)
			continue
		}
		p := c.compileExpr(en.Value, w, userEnv)
		if p == nil {
			continue
		}
		if msg := incompatible(outType(p), fp.leaf); msg != "" {
			c.ps.add(en.Value.At, "%s: %s", w, msg)
			continue
		}
		out.fromSCIM = append(out.fromSCIM, fromSCIM{path: fp, p: p, from: plainAttr(p.src, "user")})
	}
	// Without fromSCIM, create and replace take flat request parameters built from user; a
	// block that names a record then has nothing to put in it.
	flat := len(u.FromSCIM) == 0
	needsFrom := func(s *Step, at Pos, what string) {
		if s != nil && flat && !dynamic(out.rec) && namesRecord(s) {
			c.ps.add(at, "users.%s: needs a fromSCIM block (how a user becomes a record)", what)
		}
	}
	if u.Create != nil {
		needsFrom(u.Create, u.Create.At, "create")
		// `current` is nil on create; it is in the environment so that one expression (a YAML
		// anchor shared by create and replace) can compare against the stored record.
		createEnv := stepEnv{"user": map[string]any{}, "current": sample(out.rec)}
		out.create = c.op(u.Create, "users.create", createEnv,
			stepOpts{rec: out.rec, record: true, needResult: true, allowID: true, flat: flat})
		out.createID = c.compileExpr(u.Create.ID, "users.create.id", createEnv)
	}
	listOpts := stepOpts{rec: out.rec, needItems: true, allowList: true, get: out.get}
	if u.List != nil {
		out.list = c.op(u.List, "users.list", stepEnv{}, listOpts)
	}
	shapes := map[string]bool{}
	for i, r := range u.Search {
		what := fmt.Sprintf("users.search[%d]", i)
		shape := normShape(r.Shape.Value)
		if shape == "" {
			c.ps.add(r.At, "%s: shape: required (e.g. \"userName eq\")", what)
			continue
		}
		if shapes[shape] {
			c.ps.add(r.Shape.At, "%s.shape: %q already has a rule", what, r.Shape.Value)
			continue
		}
		shapes[shape] = true
		rule := searchRule{shape: shape}
		switch {
		case r.Use.Set():
			if r.Use.Value != "get" {
				c.ps.add(r.Use.At, "%s.use: unknown block %q; v0 can use \"get\"", what, r.Use.Value)
			} else if msg := getAnswers(shape, u.ToSCIM); msg != "" {
				c.ps.add(r.Use.At, "%s.use: %s", what, msg)
			}
			if r.Call.Set() {
				c.ps.add(r.Call.At, "%s: give either use or call, not both", what)
			}
			rule.useGet = true
		default:
			rule.op = c.op(&r.Step, what, stepEnv{"value": ""}, listOpts)
			if rule.op == nil {
				continue
			}
		}
		out.search = append(out.search, rule)
	}
	if u.Fallback != nil {
		if u.Fallback.MaxScan <= 0 {
			c.ps.add(u.Fallback.At, "users.fallback: maxScan: required, a positive number")
		}
		if u.List == nil {
			c.ps.add(u.Fallback.At, "users.fallback: needs a list block to scan")
		}
		out.maxScan = u.Fallback.MaxScan
	}
	if u.Create != nil && u.Create.CheckExisting {
		out.checkExisting = true
		if !shapes["username eq"] && (u.Fallback == nil || u.List == nil) {
			c.ps.add(u.Create.At, "users.create.checkExisting: needs a search rule for \"userName eq\" (or a fallback scan) to look the user up")
		}
	}
	if r := u.Replace; r != nil {
		needsFrom(&r.Step, r.At, "replace")
		switch r.Strategy.Value {
		case "", "readMergeWrite":
		default:
			c.ps.add(r.Strategy.At, "users.replace.strategy: unknown strategy %q; v0 supports readMergeWrite", r.Strategy.Value)
		}
		switch r.Absent.Value {
		case "", "keep":
		case "clear":
			out.absentClear = true
		default:
			c.ps.add(r.Absent.At, "users.replace.absent: %q is neither keep nor clear", r.Absent.Value)
		}
		out.replace = c.op(&r.Step, "users.replace", stepEnv{"id": "", "user": map[string]any{}, "current": sample(out.rec)},
			stepOpts{rec: out.rec, record: true, flat: flat})
	}
	stateEnv := stepEnv{"id": "", "user": map[string]any{}, "current": sample(out.rec)}
	out.activate = c.op(u.Activate, "users.activate", stateEnv, stepOpts{rec: out.rec})
	out.deactivate = c.op(u.Deactivate, "users.deactivate", stateEnv, stepOpts{rec: out.rec})
	if (u.Activate == nil) != (u.Deactivate == nil) {
		at := u.At
		if u.Activate != nil {
			at = u.Activate.At
		} else {
			at = u.Deactivate.At
		}
		c.ps.add(at, "users: activate and deactivate go together; give both or neither")
	}
	out.setPassword = c.op(u.SetPassword, "users.setPassword", stepEnv{"id": "", "password": ""}, stepOpts{})
	out.delete = c.op(u.Delete, "users.delete", stepEnv{"id": ""}, stepOpts{})
	switch u.ChangeTracking.Value {
	case "":
	case "hash":
		out.tracked = true
		if u.Fallback == nil {
			c.ps.add(u.ChangeTracking.At, "users.changeTracking: needs a fallback block (meta.lastModified filters scan at most fallback.maxScan users)")
		}
	default:
		c.ps.add(u.ChangeTracking.At, "users.changeTracking: unknown mode %q; the one mode is hash", u.ChangeTracking.Value)
	}
	return out
}

// normShape lower-cases a shape and collapses white space, the form filter.Shape gives.
func normShape(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func (c *compiler) groups(g *Groups) *groups {
	out := &groups{skipUnknown: true}
	if g.Get == nil {
		c.ps.add(g.At, "groups: get: required (how to read one group)")
	} else {
		out.get, out.rec = c.recordOf(g.Get, "groups.get", stepEnv{"id": ""})
	}
	recEnv := stepEnv{"rec": sample(out.rec)}
	seen := map[string]bool{}
	for _, en := range g.ToSCIM {
		set, err := groupAttr(en.Key.Value)
		if err != nil {
			c.ps.add(en.Key.At, "groups.toSCIM: %v", err)
			continue
		}
		seen[en.Key.Value] = true
		if out.rec == nil {
			continue
		}
		if p := c.compileExpr(en.Value, "groups.toSCIM."+en.Key.Value, recEnv); p != nil {
			t := toSCIM[backend.Group]{key: en.Key.Value, set: set, p: p}
			if f, ok := groupStrFields[en.Key.Value]; ok && p.direct != nil {
				t.str = f
			}
			out.toSCIM = append(out.toSCIM, t)
		}
	}
	for _, k := range []string{"id", "displayName"} {
		if !seen[k] {
			c.ps.add(g.At, "groups.toSCIM: %s: required", k)
		}
	}
	out.surrogate = g.SurrogateIDs
	createEnv := stepEnv{"group": map[string]any{}}
	out.create = c.op(g.Create, "groups.create", createEnv, stepOpts{rec: out.rec, needResult: true, allowID: true})
	if g.Create != nil {
		out.createID = c.compileExpr(g.Create.ID, "groups.create.id", createEnv)
	}
	if g.List != nil {
		out.list = c.op(g.List, "groups.list", stepEnv{}, stepOpts{rec: out.rec, needItems: true, allowList: true, get: out.get})
	}
	if g.Create != nil && g.Create.CheckExisting {
		out.checkExisting = true
		if g.Fallback == nil || g.List == nil {
			c.ps.add(g.Create.At, "groups.create.checkExisting: needs a list block and a fallback scan to look the displayName up")
		}
	}
	if g.Fallback != nil {
		if g.Fallback.MaxScan <= 0 {
			c.ps.add(g.Fallback.At, "groups.fallback: maxScan: required, a positive number")
		}
		if g.List == nil {
			c.ps.add(g.Fallback.At, "groups.fallback: needs a list block to scan")
		}
		out.maxScan = g.Fallback.MaxScan
	}
	renameEnv := stepEnv{"id": "", "group": map[string]any{}, "current": sample(out.rec)}
	out.rename = c.op(g.Rename, "groups.rename", renameEnv, stepOpts{rec: out.rec, allowID: true})
	if g.Rename != nil {
		out.renameID = c.compileExpr(g.Rename.ID, "groups.rename.id", renameEnv)
	}
	memberEnv := stepEnv{"id": "", "member": ""}
	out.addMember = c.op(g.AddMember, "groups.addMember", memberEnv, stepOpts{})
	out.removeMember = c.op(g.RemoveMember, "groups.removeMember", memberEnv, stepOpts{})
	out.update = c.op(g.UpdateMembers, "groups.updateMembers", stepEnv{"id": "", "add": []any{}, "remove": []any{}}, stepOpts{})
	if g.UpdateMembers != nil && g.AddMember != nil {
		c.ps.add(g.UpdateMembers.At, "groups.updateMembers: give updateMembers or addMember/removeMember, not both")
	}
	// A mapping that writes members it cannot read would lie: the bridge computes removals
	// from the members it reads, so with none read a PUT that drops a member would answer 200
	// and remove nothing.
	readsMembers := false
	for _, en := range g.ToSCIM {
		readsMembers = readsMembers || en.Key.Value == "members"
	}
	if !readsMembers {
		for _, m := range []struct {
			s    *Step
			name string
		}{{g.AddMember, "addMember"}, {g.RemoveMember, "removeMember"}, {g.UpdateMembers, "updateMembers"}} {
			if m.s != nil {
				c.ps.add(m.s.At, "groups.%s: needs toSCIM.members: without reading a group's members the bridge cannot tell which to remove, and a PUT that drops a member would answer success without removing it", m.name)
			}
		}
	}
	if g.AddMember != nil && g.RemoveMember == nil {
		c.ps.add(g.AddMember.At, "groups.addMember: needs removeMember too (or use updateMembers): a bridge that can add members but not remove them cannot keep a group as Okta pushes it")
	}
	if g.RemoveMember != nil && g.AddMember == nil {
		c.ps.add(g.RemoveMember.At, "groups.removeMember: needs addMember too (or use updateMembers)")
	}
	switch g.UnknownMembers.Value {
	case "", "skip":
	case "fail":
		out.skipUnknown = false
	default:
		c.ps.add(g.UnknownMembers.At, "groups.unknownMembers: %q is neither skip nor fail", g.UnknownMembers.Value)
	}
	out.delete = c.op(g.Delete, "groups.delete", stepEnv{"id": ""}, stepOpts{})
	return out
}

// userAttributes names what toSCIM returns, as backend.Capabilities.UserAttributes spells it:
// "emails.work" is the attribute "emails", meta and id are always there and not listed.
func userAttributes(u *users) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range u.toSCIM {
		name := t.key
		for _, multi := range []string{"emails.", "phoneNumbers."} {
			if strings.HasPrefix(name, multi) {
				name = strings.TrimSuffix(multi, ".")
			}
		}
		if name == "id" || strings.HasPrefix(name, "meta.") || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

func capabilities(u *users, g *groups) backend.Capabilities {
	var c backend.Capabilities
	if u != nil {
		c.GetUser = u.get != nil
		c.CreateUser = u.create != nil && c.GetUser
		c.ListUsers = u.list != nil
		c.ReplaceUser = u.replace != nil && c.GetUser
		c.SetPassword = u.setPassword != nil
		c.DeleteUser = u.delete != nil
		activeRead := false
		for _, t := range u.toSCIM {
			if t.key == "active" {
				activeRead = true
			}
		}
		activeWritten := false
		for _, f := range u.fromSCIM {
			if readsUserActive(f.p) {
				activeWritten = true
			}
		}
		// A record built by expressions has no fromSCIM: the replace steps carry user.active.
		for _, st := range u.replace {
			for _, a := range st.request {
				if readsUserActive(a.expr) {
					activeWritten = true
				}
			}
		}
		c.Activation = c.ReplaceUser && activeRead && (activeWritten || (u.activate != nil && u.deactivate != nil))
		c.UserAttributes = userAttributes(u)
		c.SortUsers = sortable(u.sort)
		c.ScanUsers = u.maxScan
		for _, r := range u.search {
			c.FilterUsers = append(c.FilterUsers, r.shape)
			if strings.HasSuffix(r.shape, " eq") {
				c.FilterUsers = append(c.FilterUsers, r.shape+" or")
			}
			if r.shape == "meta.lastmodified gt" {
				c.IncrementalImport = c.ListUsers
			}
		}
		if u.tracked && u.maxScan > 0 && c.ListUsers && !slices.Contains(c.FilterUsers, "meta.lastmodified gt") {
			// Answered by the bounded scan: hash, observe, filter.
			c.FilterUsers = append(c.FilterUsers, "meta.lastmodified gt")
			c.IncrementalImport = true
		}
	}
	if g != nil {
		c.GetGroup = g.get != nil
		c.CreateGroup = g.create != nil && c.GetGroup
		c.ListGroups = g.list != nil
		c.SortGroups = sortable(g.sort)
		c.ScanGroups = g.maxScan
		c.UpdateGroup = c.GetGroup && ((g.addMember != nil && g.removeMember != nil) || g.update != nil)
		c.DeleteGroup = g.delete != nil
	}
	return c
}

// readsUserActive reports whether an expression reads user.active, i.e. whether fromSCIM
// carries the SCIM active flag into the record.
func readsUserActive(p *program) bool {
	if p == nil {
		return false
	}
	node := p.p.Node()
	found := false
	ast.Find(node, func(n ast.Node) bool {
		m, ok := n.(*ast.MemberNode)
		if !ok {
			return false
		}
		id, ok1 := m.Node.(*ast.IdentifierNode)
		prop, ok2 := m.Property.(*ast.StringNode)
		if ok1 && ok2 && id.Value == "user" && prop.Value == "active" {
			found = true
			return true
		}
		return false
	})
	return found
}
