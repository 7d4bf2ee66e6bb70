package filter

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ap(name, sub string) AttrPath           { return AttrPath{Name: name, Sub: sub} }
func urnp(urn, name string) AttrPath         { return AttrPath{URN: urn, Name: name} }
func str(s string) Value                     { return Value{Kind: String, Str: s} }
func num(s string) Value                     { return Value{Kind: Number, Str: s} }
func eq(p AttrPath, v Value) Compare         { return Compare{Path: p, Op: Eq, Value: v} }
func cmp(p AttrPath, op Op, v Value) Compare { return Compare{Path: p, Op: op, Value: v} }
func pr(p AttrPath) Present                  { return Present{Path: p} }
func and(l, r Expr) And                      { return And{Left: l, Right: r} }
func or(l, r Expr) Or                        { return Or{Left: l, Right: r} }

var (
	trueV  = Value{Kind: Bool, Str: "true", Bool: true}
	falseV = Value{Kind: Bool, Str: "false"}
	nullV  = Value{Kind: Null, Str: "null"}
)

// The Okta Provisioning Agent's filters, as docs/okta-agent-protocol.md (filter-forms, v2-mode) quotes them on the
// wire; the test decodes them the way the HTTP layer does.
var oktaQueries = []struct {
	query string
	want  Expr
}{
	{`filter=userName%20eq%20%22myemail%40example.com%22&startIndex=1&count=100`,
		eq(ap("userName", ""), str("myemail@example.com"))},
	{`filter=name.givenName eq "john"`,
		eq(ap("name", "givenName"), str("john"))},
	{`filter=urn:okta:onprem_app:1.0:user:custom:departmentName eq "Cloud Service"`,
		eq(urnp("urn:okta:onprem_app:1.0:user:custom", "departmentName"), str("Cloud Service"))},
	{`filter=id eq "102"`,
		eq(ap("id", ""), str("102"))},
	{`filter=email+eq+%22bjensen%40example.com%22+OR+email+eq+%22my-secondary-email%40domain.com%22`,
		or(eq(ap("email", ""), str("bjensen@example.com")), eq(ap("email", ""), str("my-secondary-email@domain.com")))},
	{`filter=meta.lastModified gt "2020-04-07T14:19:34Z"&startIndex=1&count=100`,
		cmp(ap("meta", "lastModified"), Gt, str("2020-04-07T14:19:34Z"))},
	{`filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100`,
		eq(ap("userName", ""), str("test.user@okta.local"))},
}

func oktaFilters(t testing.TB) []string {
	var out []string
	for _, q := range oktaQueries {
		v, err := url.ParseQuery(q.query)
		if err != nil {
			t.Fatalf("decoding %q: %v", q.query, err)
		}
		out = append(out, v.Get("filter"))
	}
	return out
}

func TestParseOktaForms(t *testing.T) {
	for i, f := range oktaFilters(t) {
		got, err := Parse(f)
		if err != nil {
			t.Errorf("Parse(%q): %v", f, err)
			continue
		}
		if !reflect.DeepEqual(got, oktaQueries[i].want) {
			t.Errorf("Parse(%q)\n got %#v\nwant %#v", f, got, oktaQueries[i].want)
		}
	}
}

func TestParse(t *testing.T) {
	ee := str("Employee")
	tests := []struct {
		in   string
		want Expr
	}{
		// RFC 7644 §3.4.2.2, every example of Figure 3 and the case-insensitivity pair.
		{`userName Eq "john"`, eq(ap("userName", ""), str("john"))},
		{`Username eq "john"`, eq(ap("Username", ""), str("john"))},
		{`userName eq "bjensen"`, eq(ap("userName", ""), str("bjensen"))},
		{`name.familyName co "O'Malley"`, cmp(ap("name", "familyName"), Co, str("O'Malley"))},
		{`userName sw "J"`, cmp(ap("userName", ""), Sw, str("J"))},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
			cmp(urnp("urn:ietf:params:scim:schemas:core:2.0:User", "userName"), Sw, str("J"))},
		{`title pr`, pr(ap("title", ""))},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, cmp(ap("meta", "lastModified"), Gt, str("2011-05-13T04:42:34Z"))},
		{`meta.lastModified ge "2011-05-13T04:42:34Z"`, cmp(ap("meta", "lastModified"), Ge, str("2011-05-13T04:42:34Z"))},
		{`meta.lastModified lt "2011-05-13T04:42:34Z"`, cmp(ap("meta", "lastModified"), Lt, str("2011-05-13T04:42:34Z"))},
		{`meta.lastModified le "2011-05-13T04:42:34Z"`, cmp(ap("meta", "lastModified"), Le, str("2011-05-13T04:42:34Z"))},
		{`title pr and userType eq "Employee"`, and(pr(ap("title", "")), eq(ap("userType", ""), ee))},
		{`title pr or userType eq "Intern"`, or(pr(ap("title", "")), eq(ap("userType", ""), str("Intern")))},
		{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
			eq(ap("schemas", ""), str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"))},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
			and(eq(ap("userType", ""), ee), or(cmp(ap("emails", ""), Co, str("example.com")), cmp(ap("emails", "value"), Co, str("example.org"))))},
		{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
			and(cmp(ap("userType", ""), Ne, ee), Not{X: or(cmp(ap("emails", ""), Co, str("example.com")), cmp(ap("emails", "value"), Co, str("example.org")))})},
		{`userType eq "Employee" and (emails.type eq "work")`,
			and(eq(ap("userType", ""), ee), eq(ap("emails", "type"), str("work")))},
		{`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
			and(eq(ap("userType", ""), ee), ValuePath{Path: ap("emails", ""), Filter: and(eq(ap("type", ""), str("work")), cmp(ap("value", ""), Co, str("@example.com")))})},
		{`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
			or(ValuePath{Path: ap("emails", ""), Filter: and(eq(ap("type", ""), str("work")), cmp(ap("value", ""), Co, str("@example.com")))},
				ValuePath{Path: ap("ims", ""), Filter: and(eq(ap("type", ""), str("xmpp")), cmp(ap("value", ""), Co, str("@foo.com")))})},

		// Precedence: and binds tighter than or; chains are left-associative; parentheses group.
		{`a eq 1 or b eq 2 and c eq 3`, or(eq(ap("a", ""), num("1")), and(eq(ap("b", ""), num("2")), eq(ap("c", ""), num("3"))))},
		{`a eq 1 and b eq 2 or c eq 3`, or(and(eq(ap("a", ""), num("1")), eq(ap("b", ""), num("2"))), eq(ap("c", ""), num("3")))},
		{`(a eq 1 or b eq 2) and c eq 3`, and(or(eq(ap("a", ""), num("1")), eq(ap("b", ""), num("2"))), eq(ap("c", ""), num("3")))},
		{`a pr or b pr or c pr`, or(or(pr(ap("a", "")), pr(ap("b", ""))), pr(ap("c", "")))},
		{`a pr and b pr and c pr`, and(and(pr(ap("a", "")), pr(ap("b", ""))), pr(ap("c", "")))},
		{`a pr and (b pr and c pr)`, and(pr(ap("a", "")), and(pr(ap("b", "")), pr(ap("c", ""))))},
		{`not (a pr) and b pr`, and(Not{X: pr(ap("a", ""))}, pr(ap("b", "")))},
		{`emails[type eq "work" or (type eq "home" and value ew "@example.com")]`,
			ValuePath{Path: ap("emails", ""), Filter: or(eq(ap("type", ""), str("work")), and(eq(ap("type", ""), str("home")), cmp(ap("value", ""), Ew, str("@example.com"))))}},
		{`emails[not (type eq "work")]`, ValuePath{Path: ap("emails", ""), Filter: Not{X: eq(ap("type", ""), str("work"))}}},

		// Case-insensitive operators and keywords; names keep their spelling.
		{`USERNAME EQ "x" OR id Ne "y" AND Not (title PR)`,
			or(eq(ap("USERNAME", ""), str("x")), and(cmp(ap("id", ""), Ne, str("y")), Not{X: pr(ap("title", ""))}))},
		{`a gT 1 And b Lt 2`, and(cmp(ap("a", ""), Gt, num("1")), cmp(ap("b", ""), Lt, num("2")))},
		{`NOT(a pr)`, Not{X: pr(ap("a", ""))}},

		// Whitespace: tabs, several spaces, around parentheses and brackets.
		{"  userName\teq   \"x\"  ", eq(ap("userName", ""), str("x"))},
		{`( a pr )`, pr(ap("a", ""))},
		{`emails[ type eq "w" ]`, ValuePath{Path: ap("emails", ""), Filter: eq(ap("type", ""), str("w"))}},
		{`((a pr))`, pr(ap("a", ""))},

		// Values.
		{`a eq true`, eq(ap("a", ""), trueV)},
		{`a eq False`, eq(ap("a", ""), falseV)},
		{`a eq null`, eq(ap("a", ""), nullV)},
		{`a eq -0`, eq(ap("a", ""), num("-0"))},
		{`a gt 1.5E+10`, cmp(ap("a", ""), Gt, num("1.5E+10"))},
		{`a lt -12.25e-3`, cmp(ap("a", ""), Lt, num("-12.25e-3"))},
		{`a eq 123456789012345678901234567890`, eq(ap("a", ""), num("123456789012345678901234567890"))},
		{`a eq ""`, eq(ap("a", ""), str(""))},
		{`a eq "a\"b\\c\/d\be\ff\ng\rh\ti"`, eq(ap("a", ""), str("a\"b\\c/d\be\ff\ng\rh\ti"))},
		{`a eq "\u00e9\u00C9\u0000"`, eq(ap("a", ""), str("éÉ\x00"))},
		{`a eq "\ud83d\ude00"`, eq(ap("a", ""), str("😀"))},
		{`a eq "é😀"`, eq(ap("a", ""), str("é😀"))},
		{`a eq "x" and b eq "a\" or 1=1"`, and(eq(ap("a", ""), str("x")), eq(ap("b", ""), str(`a" or 1=1`)))},
		{`a eq"x"`, eq(ap("a", ""), str("x"))},

		// Attribute names: digits, '-', '_', $ref, URNs with dots, keyword-like names.
		{`x-y_2 pr`, pr(ap("x-y_2", ""))},
		{`members.$ref eq "https://h/Users/1"`, eq(ap("members", "$ref"), str("https://h/Users/1"))},
		{`$ref pr`, pr(ap("$ref", ""))},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`,
			eq(urnp("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "employeeNumber"), str("701984"))},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`,
			eq(AttrPath{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "manager", Sub: "value"}, str("26118915-6090-4610-87e4-49d8ca9f808d"))},
		{`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "x"`,
			eq(AttrPath{URN: "urn:ietf:params:scim:schemas:core:2.0:User", Name: "name", Sub: "givenName"}, str("x"))},
		{`not eq "x"`, eq(ap("not", ""), str("x"))},
		{`and pr or or pr`, or(pr(ap("and", "")), pr(ap("or", "")))},
		{`order pr`, pr(ap("order", ""))},
		{`pr pr`, pr(ap("pr", ""))},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			continue
		}
		// The canonical rendering parses back to the same tree.
		back, err := Parse(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("Parse(%q).String() = %q does not round-trip: %v", tt.in, got.String(), err)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a eq 1 or b eq 2 and c eq 3`, `a eq 1 or b eq 2 and c eq 3`},
		{`(a eq 1 or b eq 2) and c eq 3`, `(a eq 1 or b eq 2) and c eq 3`},
		{`a pr or (b pr or c pr)`, `a pr or (b pr or c pr)`},
		{`((a pr) or (b pr)) or c pr`, `a pr or b pr or c pr`},
		{`a pr and (b pr or c pr) and d pr`, `a pr and (b pr or c pr) and d pr`},
		{`USERNAME EQ "x" OR NOT(id pr)`, `USERNAME eq "x" or not (id pr)`},
		{`emails[type EQ "work"]`, `emails[type eq "work"]`},
		{`a eq "\u0041\/\u001f\n\"\\"`, `a eq "A/\u001f\n\"\\"`},
		{`a eq TRUE or b eq NULL`, `a eq true or b eq null`},
		{`a eq 1.50E3`, `a eq 1.50E3`},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got := e.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string // a fragment of the message
	}{
		{``, 0, "empty filter"},
		{`   `, 3, "empty filter"},
		{`userName`, 8, "expected an operator"},
		{`userName eq`, 11, "expected a value"},
		{`userName eq `, 12, "expected a value"},
		{`userName equals "x"`, 9, `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr), found "equals"`},
		{`userName eq "x" and`, 19, "expected a filter after 'and' at offset 16"},
		{`userName eq "x" or `, 19, "expected a filter after 'or' at offset 16"},
		{`userName eq "x" xor b pr`, 16, `expected 'and', 'or' or the end of the filter, found "xor"`},
		{`userName eq "x")`, 15, `found ")"`},
		{`(userName eq "x"`, 16, "')' closing the '(' at offset 0"},
		{`not (a pr`, 9, "')' closing the 'not (' at offset 0"},
		{`emails[type eq "w"`, 18, "']' closing the '[' at offset 6"},
		{`emails[]`, 7, "empty value filter"},
		{`emails[type eq "w"].value eq "x"`, 19, "cannot be followed by a sub-attribute"},
		{`a[b[c pr]]`, 3, "cannot be nested"},
		{`userName eq "x`, 12, "unterminated string"},
		{`userName eq "x\"`, 12, "unterminated string"},
		{`userName eq "x\`, 12, "unterminated string"},
		{`userName eq "a\qb"`, 14, `invalid escape \q`},
		{`userName eq "\u12"`, 13, `\u needs four hex digits`},
		{`userName eq "\uD800"`, 13, "lone UTF-16 surrogate"},
		{`userName eq "\uDC00\uD800"`, 13, "lone UTF-16 surrogate"},
		{`userName eq "\uD83D\u0041"`, 13, "lone UTF-16 surrogate"},
		{"userName eq \"a\tb\"", 14, "control character"},
		{`meta.lastModified gt “2020-04-07T14:19:34Z”`, 21, "typographic quotes"},
		{`userName eq 'x'`, 12, "single quotes"},
		{`userName eq bjensen`, 12, "strings need double quotes"},
		{`a eq 01`, 5, "invalid number"},
		{`a eq 1.`, 5, "invalid number"},
		{`a eq 1e`, 5, "invalid number"},
		{`a eq -`, 5, "invalid number"},
		{`a eq 1.2.3`, 5, "invalid number"},
		{`a eq 1and b pr`, 6, "after the value at offset 5"},
		{`a eq truex`, 5, "strings need double quotes"},
		{`a eq "x"b`, 8, "after the value"},
		{`"userName" eq "x"`, 0, "attribute names are not quoted"},
		{`1abc eq "x"`, 0, "must start with a letter"},
		{`user@name eq "x"`, 4, "expected a space and an operator"},
		{`name.given.x eq "x"`, 10, "at most one sub-attribute"},
		{`name. eq "x"`, 5, "expected an attribute name"},
		{`:userName eq "x"`, 0, "invalid schema URN"},
		{`urn:x: eq "x"`, 6, "expected an attribute name"},
		{`urn:x$y:name pr`, 5, "'$'"},
		{`na$me pr`, 2, `invalid character '$'`},
		{`a pr and ()`, 10, "expected an attribute path"},
		{`@ pr`, 0, `expected an attribute path such as userName, found "@"`},
		{"a eq \"\xff\"", 6, "invalid UTF-8"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("Parse(%q): offset %d %q, want offset %d and a message containing %q", tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
		}
		if !strings.Contains(se.Error(), se.Msg) {
			t.Errorf("Error() %q lacks the message", se.Error())
		}
	}
}

func TestLimits(t *testing.T) {
	parens := func(n int) string { return strings.Repeat("(", n) + "a pr" + strings.Repeat(")", n) }
	nots := func(n int) string { return strings.Repeat("not (", n) + "a pr" + strings.Repeat(")", n) }
	chain := func(n int, op string) string {
		return strings.TrimSuffix(strings.Repeat("a pr "+op+" ", n), " "+op+" ")
	}
	big := Limits{MaxLength: 1 << 20}

	tests := []struct {
		name   string
		in     string
		lim    Limits
		ok     bool
		offset int
	}{
		{"32 parentheses", parens(32), Limits{}, true, 0},
		{"33 parentheses", parens(33), Limits{}, false, 32},
		{"32 nots", nots(32), Limits{}, true, 0},
		{"33 nots", nots(33), Limits{}, false, 32 * 5},
		{"length at the limit", "a eq \"" + strings.Repeat("x", DefaultMaxLength-7) + "\"", Limits{}, true, 0},
		{"length over the limit", "a eq \"" + strings.Repeat("x", DefaultMaxLength-6) + "\"", Limits{}, false, DefaultMaxLength},
		{"custom length", `userName eq "x"`, Limits{MaxLength: 10}, false, 10},
		{"100k parentheses, default limits", parens(100_000), Limits{}, false, DefaultMaxLength},
		{"100k parentheses, no length limit", parens(100_000), big, false, 32},
		{"100k nots, no length limit", nots(100_000), big, false, 32 * 5},
		{"100k open parentheses only", strings.Repeat("(", 100_000), big, false, 32},
		{"100k value paths", strings.Repeat("a[", 100_000), big, false, 3},
		{"1000-term and-chain", chain(1000, "and"), big, true, 0},
		{"1000-term or-chain, depth 1", chain(1000, "or"), Limits{MaxLength: 1 << 20, MaxDepth: 1}, true, 0},
		{"1000-term and-chain over the default length", chain(1000, "and"), Limits{}, false, DefaultMaxLength},
		{"400-term and-chain within the default length", chain(400, "AND"), Limits{}, true, 0},
		// Depth counts chains, groups, not and value paths together.
		{"chain in group in chain: depth 3 of 2", `(a pr or b pr) and c pr`, Limits{MaxDepth: 2}, false, 0},
		{"chain in group in chain: depth 3 of 3", `(a pr or b pr) and c pr`, Limits{MaxDepth: 3}, true, 0},
		{"chain: depth 1 of 1", `a pr and b pr and c pr`, Limits{MaxDepth: 1}, true, 0},
		{"value path with a chain: depth 2 of 1", `emails[type eq "w" and value pr]`, Limits{MaxDepth: 1}, false, 7},
		{"value path with a chain: depth 2 of 2", `emails[type eq "w" and value pr]`, Limits{MaxDepth: 2}, true, 0},
		{"depth limit hit in a later chain term", `a pr and (b pr or (c pr))`, Limits{MaxDepth: 3}, false, 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := ParseWith(tt.in, tt.lim)
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("took %v", elapsed)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SyntaxError", err)
			}
			if se.Offset != tt.offset {
				t.Errorf("offset %d (%s), want %d", se.Offset, se.Msg, tt.offset)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want PatchPath
	}{
		{`members`, PatchPath{Attr: ap("members", "")}},
		{`name.familyName`, PatchPath{Attr: ap("name", "familyName")}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
			PatchPath{Attr: urnp("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "employeeNumber")}},
		{`members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
			PatchPath{Attr: ap("members", ""), Filter: eq(ap("value", ""), str("2819c223-7f76-453a-919d-413861904646"))}},
		{`emails[type eq "work"].value`,
			PatchPath{Attr: ap("emails", ""), Filter: eq(ap("type", ""), str("work")), SubAttr: "value"}},
		{`addresses[type eq "work" and primary eq true].streetAddress`,
			PatchPath{Attr: ap("addresses", ""), Filter: and(eq(ap("type", ""), str("work")), eq(ap("primary", ""), trueV)), SubAttr: "streetAddress"}},
		{` Members[Value EQ "x"] `, PatchPath{Attr: ap("Members", ""), Filter: eq(ap("Value", ""), str("x"))}},
	}
	for _, tt := range tests {
		got, err := ParsePath(tt.in)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParsePath(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			continue
		}
		back, err := ParsePath(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("ParsePath(%q).String() = %q does not round-trip: %v", tt.in, got.String(), err)
		}
	}
	if got, _ := ParsePath(`emails[type eq "work"].value`); got.String() != `emails[type eq "work"].value` {
		t.Errorf("String() = %q", got.String())
	}

	errs := []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, "empty path"},
		{`members[`, 8, "expected an attribute path"},
		{`members[value eq "x"`, 20, "']' closing the '[' at offset 7"},
		{`members[value eq "x"].`, 22, "a sub-attribute name after '].'"},
		{`members[value eq "x"].1x`, 22, "must start with a letter"},
		{`members[value eq "x"]x`, 21, "'.subAttribute' or the end of the path"},
		{`members eq "x"`, 8, "'[' or the end of the path"},
		{`members[a[b pr]]`, 9, "cannot be nested"},
		{`name.a.b`, 6, "at most one sub-attribute"},
		{`members[value eq "x"]`, 16, "too long"},
	}
	for _, tt := range errs {
		lim := Limits{}
		if tt.msg == "too long" {
			lim.MaxLength = 16
		}
		_, err := ParsePathWith(tt.in, lim)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParsePath(%q) = %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("ParsePath(%q): offset %d %q, want offset %d and %q", tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
		}
	}
}

func TestDepthLimitOnPath(t *testing.T) {
	in := "members[" + strings.Repeat("(", 40) + "a pr" + strings.Repeat(")", 40) + "]"
	_, err := ParsePath(in)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "nested too deeply") {
		t.Fatalf("got %v, want a depth error", err)
	}
}

func BenchmarkParseOktaForms(b *testing.B) {
	forms := oktaFilters(b)
	names := []string{"userName", "subAttr", "customURN", "id", "emailOR", "lastModified", "userName2"}
	for i, f := range forms {
		b.Run(names[i], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMaxDepthCeiling(t *testing.T) {
	in := strings.Repeat("(", 5000) + "a pr" + strings.Repeat(")", 5000)
	_, err := ParseWith(in, Limits{MaxLength: 1 << 20, MaxDepth: 1 << 30})
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != maxDepthCeiling {
		t.Fatalf("got %v, want a depth error at offset %d", err, maxDepthCeiling)
	}
	if _, err := ParseWith(in[5000-maxDepthCeiling:len(in)-(5000-maxDepthCeiling)], Limits{MaxLength: 1 << 20, MaxDepth: 1 << 30}); err != nil {
		t.Fatalf("%d levels: %v", maxDepthCeiling, err)
	}
}
