package mapping

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/backend"
)

// Length limits (docs/mapping.md#maxlength). A string attribute may be limited by the mapping
// file (users.maxLength, groups.maxLength) and by the application's schema: the runtime WSDL
// client notes an element's xs:maxLength (or xs:length) facet in the field's tag. The front end
// refuses a longer value with 400 before calling anything (backend.LengthLimiter); the engine
// checks again when it fills a limited field, for values built by expressions the front end
// cannot attribute to one SCIM attribute, still before the call.

// The tag the runtime WSDL client writes (internal/wsdlgen: TagXSD, TagMaxLength).
const (
	tagXSD        = "xsd"
	maxLengthNote = "maxLength="
)

// tagMaxLength reads a field's maxLength note; 0 when it has none.
func tagMaxLength(tag reflect.StructTag) int {
	notes := tag.Get(tagXSD)
	if notes == "" {
		return 0
	}
	for _, note := range strings.Split(notes, ",") {
		if v, ok := strings.CutPrefix(note, maxLengthNote); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}

// maxMaxLength bounds what users.maxLength may say; larger limits are scim.maxStringLength's job.
const maxMaxLength = 1 << 20

// userLengthAttrs are the user attributes the front end checks by name, as it names them;
// custom.* and enterprise.* are open.
var userLengthAttrs = []string{"externalId", "userName", "displayName", "nickName", "title", "userType",
	"locale", "timezone", "password", "name.formatted", "name.familyName", "name.givenName", "name.middleName",
	"name.honorificPrefix", "name.honorificSuffix", "emails.value", "phoneNumbers.value"}

var groupLengthAttrs = []string{"displayName", "description", "externalId"}

// helperAttrs are the library functions that read one multi-valued attribute of user.
var helperAttrs = map[string]string{
	"primaryEmail(user)": "emails.value", "secondaryEmail(user)": "emails.value", "primaryPhone(user)": "phoneNumbers.value",
}

var plainRef = regexp.MustCompile(`^(user|group)\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$`)

// plainAttr is the SCIM attribute an expression is, when it is nothing but one attribute of root
// ("user.userName", "primaryEmail(user)"); "" for anything computed.
func plainAttr(src, root string) string {
	src = strings.TrimSpace(src)
	if a, ok := helperAttrs[src]; ok && root == "user" {
		return a
	}
	m := plainRef.FindStringSubmatch(src)
	if m == nil || m[1] != root {
		return ""
	}
	return m[2]
}

// lengthLimits is one resource's limits by attribute.
type lengthLimits map[string]backend.MaxLength

// lower keeps the smaller of the limit known for attr and n.
func (l lengthLimits) lower(attr string, n int, source string) {
	if cur, ok := l[attr]; ok && cur.Limit <= n {
		return
	}
	l[attr] = backend.MaxLength{Limit: n, Source: source}
}

// fromSchema adds the limit of a field the expression src fills, when src is one attribute.
func (l lengthLimits) fromSchema(fp fieldPath, src, root string) {
	if fp.maxLen == 0 {
		return
	}
	if a := plainAttr(src, root); a != "" {
		l.lower(a, fp.maxLen, "the application's schema, maxLength of "+fp.text)
	}
}

// fromSteps adds the schema limits of the request fields an operation fills.
func (l lengthLimits) fromSteps(op operation, root string) {
	for _, st := range op {
		if st == nil {
			continue
		}
		for _, a := range st.request {
			l.fromSchema(a.path, a.expr.src, root)
		}
	}
}

// maxLengths compiles a maxLength block into l.
func (c *compiler) maxLengths(es Entries, what string, known []string, open bool, l lengthLimits) {
	for _, en := range es {
		w := what + ".maxLength." + en.Key.Value
		attr := en.Key.Value
		ok := containsString(known, attr)
		if open && (strings.HasPrefix(attr, "custom.") || strings.HasPrefix(attr, "enterprise.")) && len(attr) > len("custom.") {
			ok = true
		}
		if !ok {
			c.ps.add(en.Key.At, "%s: %q is not a string attribute the bridge checks%s", w, attr, didYouMean(attr, known))
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(en.Value.Value))
		if err != nil || n < 1 || n > maxMaxLength {
			c.ps.add(en.Value.At, "%s: %q is not a whole number of characters between 1 and %d", w, en.Value.Value, maxMaxLength)
			continue
		}
		l.lower(attr, n, "the mapping's maxLength")
	}
}

// MaxLengths implements backend.LengthLimiter.
func (b *engineBackend) MaxLengths() (users, groups map[string]backend.MaxLength) {
	return b.e.MaxLengths()
}

// MaxLengths gives the length limits of user and group attributes (copies).
func (e *Engine) MaxLengths() (users, groups map[string]backend.MaxLength) {
	cp := func(l lengthLimits) map[string]backend.MaxLength {
		out := make(map[string]backend.MaxLength, len(l))
		for k, v := range l {
			out[k] = v
		}
		return out
	}
	return cp(e.userLimits), cp(e.groupLimits)
}

// checkFieldLength refuses a string longer than the field's schema limit, before the call. from
// names the SCIM attribute the expression is, when it is one.
func checkFieldLength(fp fieldPath, from string, v any) error {
	s, ok := v.(string)
	if !ok {
		if p, isPtr := v.(*string); isPtr && p != nil {
			s, ok = *p, true
		}
	}
	if !ok {
		return nil
	}
	n := utf8.RuneCountInString(s)
	if n <= fp.maxLen {
		return nil
	}
	what := "the value for " + fp.text
	if from != "" {
		what = from
	}
	return backend.Errorf(backend.Invalid, "%s is %d characters long; the limit is %d (the application's schema, maxLength of %s)",
		what, n, fp.maxLen, fp.text)
}
