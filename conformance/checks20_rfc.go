package conformance

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The SCIM 2.0 protocol checks of RFC 7643/7644 that neither the Okta scenarios nor the PATCH
// forms reach: Location and meta, ETags, attribute projection, the media type, the filter grammar
// and its abuse, the plural discovery path, and the 401 error body (issue #7).

func checks20RFC() []checkDef {
	return []checkDef{
		{Name: "v2.location", Dialect: "2.0", Needs: []string{CapPushNewUsers}, Doc: "POST /Users (and /Groups with GROUP_PUSH) answers with a Location header, an absolute URL of the new resource equal to its meta.location (RFC 7644 §3.3).",
			Fn: checkLocation20},
		{Name: "v2.meta", Dialect: "2.0", Needs: []string{CapPushNewUsers}, Doc: "Users and groups, read alone and in a list, carry meta with resourceType, created and lastModified (RFC 3339, lastModified not before created) and location; version too when etag.supported is advertised (RFC 7643 §3.1).",
			Fn: checkMeta20},
		{Name: "v2.etag", Dialect: "2.0", Needs: []string{CapPushNewUsers, CapPushProfileUpdates}, Doc: "Only when /ServiceProviderConfig advertises etag.supported: GET carries an ETag equal to meta.version, an update with the current If-Match succeeds and changes the version, a PUT or PATCH with the stale one answers 412 and changes nothing (RFC 7644 §3.14).",
			Fn: checkETag20},
		{Name: "v2.attributes", Dialect: "2.0", Needs: []string{CapPushNewUsers}, Doc: "attributes= returns only the requested attributes plus id and schemas, excludedAttributes= leaves the named ones out, on GET and on a list; groups: Entra's excludedAttributes=members (RFC 7644 §3.4.2.5).",
			Fn: checkAttributes20},
		{Name: "v2.mediatype", Dialect: "2.0", Doc: "Answers to Accept: application/scim+json carry Content-Type application/scim+json (application/json is a warning: Okta and Entra accept it), errors included (RFC 7644 §3.1, §8.1).",
			Fn: checkMediaType20},
		{Name: "v2.filters", Dialect: "2.0", Needs: []string{CapPushNewUsers}, Doc: "co, sw, pr, and/or with precedence, not, and emails[...] value paths return exactly the right test users; 400 invalidFilter for an operator the connector does not support is conformant, a wrong result is not (RFC 7644 §3.4.2.2).",
			Fn: checkFilters20},
		{Name: "v2.filter.nesting", Dialect: "2.0", Doc: "A filter nested in 100,000 parentheses is refused with 400 well under the timeout, never 5xx, and the connector still answers afterwards.",
			Fn: checkFilterNesting20},
		{Name: "v2.discovery.plural", Dialect: "2.0", Doc: "GET /ServiceProviderConfigs (the plural spelling some clients use) answers like /ServiceProviderConfig or 404; anything else is a warning only.",
			Fn: checkPluralSPC20},
		{Name: "v2.auth", Dialect: "2.0", Doc: "Calls without credentials and with wrong ones answer 401 with a SCIM 2.0 Error body (schemas, status \"401\"); a missing WWW-Authenticate header is a warning (RFC 7644 §3.12).",
			Fn: checkAuth20},
		{Name: "v2.sort", Dialect: "2.0", Needs: []string{CapPushNewUsers}, Doc: "Only when /ServiceProviderConfig advertises sort.supported: sortBy=userName lists the run's users in order, sortOrder=descending in reverse (RFC 7644 §3.4.2.3); POST /Users/.search answers as the same GET, or 404/405/501 (a note: optional).",
			Fn: checkSort20},
	}
}

// serviceProviderConfig reads /ServiceProviderConfig once per run. v2 checks gated on what it
// advertises skip when it cannot be read: getImplementedUserManagementCapabilities reports that.
func (e *env) serviceProviderConfig(ctx context.Context, c *checkRun) (map[string]any, error) {
	if !e.spcRead {
		e.spcRead = true
		r, err := c.call(ctx, "GET", "ServiceProviderConfig", "", nil)
		switch {
		case err != nil:
			e.spcErr = err
		case r.Status != http.StatusOK:
			e.spcErr = fmt.Errorf("GET /ServiceProviderConfig answered %d", r.Status)
		default:
			if obj, ok := r.object(); ok {
				e.spc = obj
			} else {
				e.spcErr = fmt.Errorf("GET /ServiceProviderConfig is not a JSON object")
			}
		}
	}
	return e.spc, e.spcErr
}

// etagAdvertised says whether /ServiceProviderConfig has etag.supported true; known is false
// when the document could not be read.
func (e *env) etagAdvertised(ctx context.Context, c *checkRun) (supported, known bool) {
	spc, err := e.serviceProviderConfig(ctx, c)
	if err != nil {
		return false, false
	}
	m, _ := spc["etag"].(map[string]any)
	return m != nil && m["supported"] == true, true
}

// resourceURL checks that loc is an absolute http(s) URL whose path ends in /<resource>/<id>.
func resourceURL(loc, resource, id string) string {
	u, err := url.Parse(loc)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute http(s) URL", loc)
	}
	if !strings.HasSuffix(u.Path, "/"+resource+"/"+id) {
		return fmt.Sprintf("%q does not end in /%s/%s", loc, resource, id)
	}
	return ""
}

func checkLocation20(ctx context.Context, c *checkRun) {
	e := c.env
	want := func(r *response, resource, id string) {
		what := "POST /" + resource
		loc := r.Header.Get("Location")
		if loc == "" {
			c.failf("%s answered %d without a Location header (RFC 7644 §3.3)", what, r.Status)
			return
		}
		if p := resourceURL(loc, resource, id); p != "" {
			c.failf("%s: Location %s", what, p)
		}
		obj, _ := r.object()
		if ml := stringAt(obj, "meta", "location"); ml != "" && ml != loc {
			c.failf("%s: Location %q differs from meta.location %q; RFC 7644 §3.3 wants the same URI", what, loc, ml)
		}
	}
	u := e.newUser("location", true)
	r, _, _, err := e.createUserResp(ctx, c, u)
	if err != nil {
		c.failf("prerequisite: could not create a test user: %v", err)
		return
	}
	if u.ID == "" {
		c.failf("prerequisite: the created test user has no id")
		return
	}
	want(r, "Users", u.ID)
	if !e.has(CapGroupPush) {
		return
	}
	g := e.newGroup("location")
	r, _, err = e.createGroup(ctx, c, g)
	if err != nil || g.ID == "" {
		c.failf("prerequisite: could not create a test group: %v", err)
		return
	}
	want(r, "Groups", g.ID)
}

// metaProblems lists what RFC 7643 §3.1 meta lacks in one resource; Warn marks the findings
// that are warnings only.
func metaProblems(obj map[string]any, resourceType, resource, id string, needVersion bool) []violation {
	meta, ok := obj["meta"].(map[string]any)
	if !ok {
		return []violation{{Msg: "has no meta object"}}
	}
	var ps []violation
	add := func(warn bool, format string, args ...any) {
		ps = append(ps, violation{Msg: fmt.Sprintf(format, args...), Warn: warn})
	}
	if rt, _ := meta["resourceType"].(string); rt != resourceType {
		add(false, "meta.resourceType is %s, want %q", jsonText(meta["resourceType"]), resourceType)
	}
	var times [2]time.Time
	for i, k := range []string{"created", "lastModified"} {
		v, present := meta[k]
		if !present || v == nil {
			add(false, "has no meta.%s (RFC 7643 §3.1)", k)
			continue
		}
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			add(false, "meta.%s is %s, want an RFC 3339 date-time", k, jsonText(v))
		}
		times[i] = t
	}
	if !times[0].IsZero() && !times[1].IsZero() && times[1].Before(times[0]) {
		add(false, "meta.lastModified %s is before meta.created %s", meta["lastModified"], meta["created"])
	}
	if loc, _ := meta["location"].(string); loc == "" {
		add(false, "has no meta.location")
	} else if p := resourceURL(loc, resource, id); p != "" {
		add(false, "meta.location %s", p)
	}
	if v, _ := meta["version"].(string); needVersion && v == "" {
		add(false, "has no meta.version, but /ServiceProviderConfig advertises etag.supported")
	}
	return ps
}

func checkMeta20(ctx context.Context, c *checkRun) {
	e := c.env
	needVersion, known := e.etagAdvertised(ctx, c)
	if !known {
		c.notef("/ServiceProviderConfig could not be read: meta.version is not required")
	}
	report := func(what string, ps []violation) {
		for _, p := range ps {
			if p.Warn {
				c.warnf("%s %s", what, p.Msg)
			} else {
				c.failf("%s %s", what, p.Msg)
			}
		}
	}
	u := e.sharedUser(ctx, c)
	if u == nil {
		return
	}
	if obj, ok := e.getUser(ctx, c, u.ID); ok {
		report("GET /Users/"+u.ID, metaProblems(obj, "User", "Users", u.ID, needVersion))
	}
	if items, ok := e.filterList(ctx, c, e.d.ExistenceFilter(u), false); ok {
		for _, it := range items {
			if id, _ := idOf(it); id == u.ID {
				report("the existence filter's result", metaProblems(it, "User", "Users", u.ID, needVersion))
			}
		}
	}
	if !e.has(CapGroupPush) {
		return
	}
	g := e.sharedGroupFor(ctx, c)
	if g == nil {
		return
	}
	if obj, ok := e.getGroup(ctx, c, g.ID); ok {
		report("GET /Groups/"+g.ID, metaProblems(obj, "Group", "Groups", g.ID, needVersion))
	}
}

func checkETag20(ctx context.Context, c *checkRun) {
	e := c.env
	supported, known := e.etagAdvertised(ctx, c)
	switch {
	case !known:
		c.skipf("/ServiceProviderConfig could not be read, so whether ETags are supported is unknown")
		return
	case !supported:
		c.skipf("/ServiceProviderConfig does not advertise etag.supported")
		return
	}
	u := e.fixtureUser(ctx, c, "etag", true)
	if u == nil {
		return
	}
	path := "Users/" + url.PathEscape(u.ID)
	// version reads the user's current tag: the ETag header, which must match meta.version.
	version := func(step string) (string, bool) {
		r, err := c.call(ctx, "GET", path, "", nil)
		if err != nil {
			c.failf("%v", err)
			return "", false
		}
		obj, ok := r.object()
		if r.Status != http.StatusOK || !ok {
			c.failf("%s: GET /%s answered %d %s", step, path, r.Status, snippet(r.Body))
			return "", false
		}
		h, mv := r.Header.Get("ETag"), stringAt(obj, "meta", "version")
		switch {
		case h == "" && mv == "":
			c.failf("%s: GET /%s has neither an ETag header nor meta.version, though etag.supported is advertised", step, path)
			return "", false
		case h == "":
			c.failf("%s: GET /%s has meta.version %q but no ETag header (RFC 7644 §3.14)", step, path, mv)
			return mv, true
		case mv != "" && mv != h:
			c.failf("%s: the ETag header %q differs from meta.version %q", step, h, mv)
		}
		return h, true
	}
	v1, ok := version("before the update")
	if !ok {
		return
	}
	u.GivenName = "Etag"
	r, err := c.call(ctx, "PUT", path, "", e.d.UserBody(u), http.Header{"If-Match": {v1}})
	if err != nil {
		c.failf("%v", err)
		return
	}
	if r.Status < 200 || r.Status > 299 {
		c.failf("PUT with the current If-Match %s answered %d %s, want 2xx", v1, r.Status, snippet(r.Body))
		return
	}
	v2, ok := version("after the update")
	if !ok {
		return
	}
	if v2 == v1 {
		c.failf("the version stayed %s after an update; a stale If-Match could not be detected", v1)
		return
	}
	stale := u.FamilyName
	for _, try := range []struct {
		method string
		body   map[string]any
	}{
		{"PUT", func() map[string]any { w := *u; w.FamilyName = "Stale"; return e.d.UserBody(&w) }()},
		{"PATCH", patchOp(map[string]any{"op": "replace", "path": "name.familyName", "value": "Stale"})},
	} {
		r, err := c.call(ctx, try.method, path, "", try.body, http.Header{"If-Match": {v1}})
		if err != nil {
			c.failf("%v", err)
			continue
		}
		switch {
		case r.Status == http.StatusPreconditionFailed:
		case try.method == "PATCH" && r.Status >= 400:
			// Refused, so nothing stale was applied; a PATCH that fails for every request is
			// the v2.patch checks' finding, not this one's.
			c.warnf("PATCH with the stale If-Match %s answered %d, not 412: refused, but not for the version", v1, r.Status)
		default:
			c.failf("%s with the stale If-Match %s answered %d, want 412 Precondition Failed", try.method, v1, r.Status)
		}
	}
	if obj, ok := e.getUser(ctx, c, u.ID); ok {
		if got := stringAt(obj, "name", "familyName"); got != stale {
			c.failf("an update with a stale If-Match was applied: familyName reads %q, want %q", got, stale)
			u.FamilyName = got
		}
	}
}

// projectionProblems lists the attributes obj has beyond id, schemas and allowed.
func projectionProblems(obj map[string]any, allowed ...string) []string {
	var ps []string
	for k := range obj {
		if strings.EqualFold(k, "id") || strings.EqualFold(k, "schemas") ||
			slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, k) }) {
			continue
		}
		ps = append(ps, k)
	}
	slices.Sort(ps)
	return ps
}

// keyPresent says whether obj has the attribute, case-insensitively, with a non-null value.
func keyPresent(obj map[string]any, name string) bool {
	for k, v := range obj {
		if strings.EqualFold(k, name) && v != nil {
			return true
		}
	}
	return false
}

func checkAttributes20(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.sharedUser(ctx, c)
	if u == nil {
		return
	}
	// get reads one resource or one list and returns the resources of interest.
	get := func(path, query, what string) []map[string]any {
		r, err := c.call(ctx, "GET", path, query, nil)
		if err != nil {
			c.failf("%v", err)
			return nil
		}
		obj, ok := r.object()
		if r.Status != http.StatusOK || !ok {
			c.failf("%s answered %d %s, want 200", what, r.Status, snippet(r.Body))
			return nil
		}
		if !strings.Contains(path, "/") {
			items, _ := e.d.ListResources(obj)
			if len(items) == 0 {
				c.failf("%s listed nothing; the test resource should be listed", what)
			}
			return items
		}
		return []map[string]any{obj}
	}
	userPath := "Users/" + url.PathEscape(u.ID)
	listQ := strings.TrimSuffix(filterQuery(e.d.ExistenceFilter(u), false), "&startIndex=1&count=100")
	for _, p := range []struct{ path, query, what string }{
		{userPath, "attributes=userName", "GET /Users/{id}?attributes=userName"},
		{"Users", listQ + "&attributes=userName", "the existence filter with attributes=userName"},
	} {
		for _, it := range get(p.path, p.query, p.what) {
			if extra := projectionProblems(it, "userName"); len(extra) > 0 {
				c.failf("%s also returned %s; only userName, id and schemas were asked for", p.what, strings.Join(extra, ", "))
			}
			if !keyPresent(it, "userName") || !keyPresent(it, "id") {
				c.failf("%s did not return userName and id", p.what)
			}
		}
	}
	for _, p := range []struct{ path, query, what string }{
		{userPath, "excludedAttributes=emails,name", "GET /Users/{id}?excludedAttributes=emails,name"},
		{"Users", listQ + "&excludedAttributes=emails,name", "the existence filter with excludedAttributes=emails,name"},
	} {
		for _, it := range get(p.path, p.query, p.what) {
			for _, k := range []string{"emails", "name"} {
				if keyPresent(it, k) {
					c.failf("%s still returned %s", p.what, k)
				}
			}
			if !keyPresent(it, "userName") || !keyPresent(it, "id") {
				c.failf("%s left out userName or id, which were not excluded", p.what)
			}
		}
	}
	if !e.has(CapGroupPush) {
		return
	}
	// Entra reads groups with excludedAttributes=members: a group with a member shows whether the
	// exclusion is honoured.
	g := e.newGroup("attrs")
	g.Members = []*testUser{u}
	if _, _, err := e.createGroup(ctx, c, g); err != nil || g.ID == "" {
		c.failf("prerequisite: could not create a test group with a member: %v", err)
		return
	}
	groupPath := "Groups/" + url.PathEscape(g.ID)
	if full := get(groupPath, "", "GET /Groups/{id}"); len(full) == 1 && !keyPresent(full[0], "members") {
		c.notef("the test group reads back without members, so excludedAttributes=members cannot show a difference")
	}
	for _, it := range get(groupPath, "excludedAttributes=members", "GET /Groups/{id}?excludedAttributes=members (Entra)") {
		if keyPresent(it, "members") {
			c.failf("GET /Groups/{id}?excludedAttributes=members still returned members")
		}
		if stringAt(it, "displayName") != g.DisplayName {
			c.failf("GET /Groups/{id}?excludedAttributes=members lost displayName")
		}
	}
	for _, it := range get(groupPath, "attributes=displayName", "GET /Groups/{id}?attributes=displayName") {
		if extra := projectionProblems(it, "displayName"); len(extra) > 0 {
			c.failf("GET /Groups/{id}?attributes=displayName also returned %s", strings.Join(extra, ", "))
		}
	}
}

// scimJSON is the SCIM media type of RFC 7644 §8.1.
const scimJSON = "application/scim+json"

func checkMediaType20(ctx context.Context, c *checkRun) {
	e := c.env
	probes := []struct{ path, query, what string }{
		{"ServiceProviderConfig", "", "GET /ServiceProviderConfig"},
		{"Users", "startIndex=1&count=1", "GET /Users"},
		{"Users/" + url.PathEscape("sbtest-"+e.runID+"-missing"), "", "a 404 error"},
	}
	if e.has(CapPushNewUsers) {
		if u := e.sharedUser(ctx, c); u != nil {
			probes = append(probes, struct{ path, query, what string }{"Users/" + url.PathEscape(u.ID), "", "GET /Users/{id}"})
		}
	}
	var plainJSON []string
	for _, p := range probes {
		r, err := c.call(ctx, "GET", p.path, p.query, nil, http.Header{"Accept": {scimJSON + ", application/json;q=0.9"}})
		if err != nil {
			c.failf("%v", err)
			continue
		}
		ct := r.Header.Get("Content-Type")
		mt, _, err := mime.ParseMediaType(ct)
		switch {
		case err == nil && mt == scimJSON:
		case err == nil && mt == "application/json":
			plainJSON = append(plainJSON, p.what)
		default:
			c.failf("%s answered %d with Content-Type %q, want %s", p.what, r.Status, ct, scimJSON)
		}
	}
	if len(plainJSON) > 0 {
		c.warnf("%s answered application/json, not %s (RFC 7644 §3.1); Okta and Entra accept it, stricter clients may not",
			strings.Join(plainJSON, ", "), scimJSON)
	}
}

// filterCase is one filter of v2.filters with its meaning, evaluated by the tester on what the
// connector itself returns for the test users, so that a connector storing less (no email type,
// say) is judged against its own data.
type filterCase struct {
	what   string
	filter string
	match  func(u map[string]any) bool
}

func lowerAt(m map[string]any, path ...string) string { return strings.ToLower(stringAt(m, path...)) }

// emailMatch says whether u has an email of type typ with value v (case-insensitive, RFC 7643
// §4.1.2: emails are caseExact false).
func emailMatch(u map[string]any, typ, v string) bool {
	for _, em := range asAnyList(u["emails"]) {
		m, _ := em.(map[string]any)
		if strings.EqualFold(stringAt(m, "type"), typ) && strings.EqualFold(stringAt(m, "value"), v) {
			return true
		}
	}
	return false
}

func checkFilters20(ctx context.Context, c *checkRun) {
	e := c.env
	a := e.fixtureUser(ctx, c, "filta", true)
	b := e.fixtureUser(ctx, c, "filtb", true)
	if a == nil || b == nil {
		return
	}
	read := map[string]map[string]any{}
	for _, u := range []*testUser{a, b} {
		obj, ok := e.getUser(ctx, c, u.ID)
		if !ok {
			return
		}
		read[u.ID] = obj
	}
	prefix := "sbtest-" + e.runID + "-filt"
	an, bn := strings.ToLower(a.UserName), strings.ToLower(b.UserName)
	inRun := func(u map[string]any) bool { return strings.HasPrefix(lowerAt(u, "userName"), prefix) }
	is := func(name string) func(map[string]any) bool {
		return func(u map[string]any) bool { return lowerAt(u, "userName") == name }
	}
	cases := []filterCase{
		{"sw", fmt.Sprintf("userName sw %s", quote(prefix)), inRun},
		{"co", fmt.Sprintf("userName co %s", quote(e.runID+"-filta")), func(u map[string]any) bool {
			return strings.Contains(lowerAt(u, "userName"), e.runID+"-filta")
		}},
		{"pr", fmt.Sprintf("userName sw %s and name.givenName pr", quote(prefix)), func(u map[string]any) bool {
			return inRun(u) && stringAt(u, "name", "givenName") != ""
		}},
		{"or", fmt.Sprintf("userName eq %s or userName eq %s", quote(a.UserName), quote("sbtest-"+e.runID+"-nobody@example.test")), is(an)},
		{"and binds tighter than or", fmt.Sprintf("userName eq %s or userName sw %s and userName co %s", quote(a.UserName), quote(prefix), quote("-filtb")),
			func(u map[string]any) bool { return is(an)(u) || is(bn)(u) }},
		{"not", fmt.Sprintf("userName sw %s and not (userName eq %s)", quote(prefix), quote(a.UserName)), func(u map[string]any) bool {
			return inRun(u) && !is(an)(u)
		}},
		{"value path", fmt.Sprintf(`emails[type eq "work" and value eq %s]`, quote(a.UserName)), func(u map[string]any) bool {
			return emailMatch(u, "work", a.UserName)
		}},
		{"value path on another type", fmt.Sprintf(`emails[type eq "home" and value eq %s]`, quote(a.UserName)), func(u map[string]any) bool {
			return emailMatch(u, "home", a.UserName)
		}},
	}
	var unsupported []string
	for _, fc := range cases {
		r, err := c.call(ctx, "GET", "Users", filterQuery(fc.filter, false), nil)
		if err != nil {
			c.failf("%v", err)
			continue
		}
		obj, isObj := r.object()
		switch {
		case r.Status == http.StatusBadRequest && isObj && obj["scimType"] == "invalidFilter":
			unsupported = append(unsupported, fc.what)
			continue
		case r.Status == http.StatusBadRequest:
			c.warnf("%s (%s) answered 400 without scimType invalidFilter %s; RFC 7644 §3.12 names invalidFilter for a filter the connector does not support", fc.what, fc.filter, snippet(r.Body))
			unsupported = append(unsupported, fc.what)
			continue
		case r.Status != http.StatusOK || !isObj:
			c.failf("%s (%s) answered %d %s, want 200 or 400 invalidFilter", fc.what, fc.filter, r.Status, snippet(r.Body))
			continue
		}
		items, _ := e.d.ListResources(obj)
		var got, want []string
		for _, it := range items {
			id, _ := idOf(it)
			got = append(got, id)
		}
		for _, u := range []*testUser{a, b} {
			if fc.match(read[u.ID]) {
				want = append(want, u.ID)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			c.failf("%s: %s returned %v, want %v (judged on the test users as the connector reads them back)", fc.what, fc.filter, got, want)
		}
	}
	if len(unsupported) > 0 {
		c.notef("refused as unsupported (400, conformant): %s", strings.Join(unsupported, "; "))
	}
}

// nestingDepth is the depth issue #7 names: deep enough to exhaust a recursive parser's stack.
const nestingDepth = 100_000

func checkFilterNesting20(ctx context.Context, c *checkRun) {
	e := c.env
	// Parentheses are legal in a query string unencoded; the probe stays 200 kB, not 600 kB.
	q := "filter=" + strings.Repeat("(", nestingDepth) + url.QueryEscape(`userName eq "x"`) + strings.Repeat(")", nestingDepth) +
		"&startIndex=1&count=1"
	// The time limit is relative to a plain filtered listing answered just before, so that a
	// loaded machine (whose every answer is slow) does not fail a parser that is bounded, while a
	// parser that works per nesting level still shows: a tenth of the timeout, or 50 times the
	// plain answer when that is longer.
	limit := max(e.opts.Timeout/10, time.Second)
	if base, err := c.call(ctx, "GET", "Users", "filter="+url.QueryEscape(`userName eq "x"`)+"&startIndex=1&count=1", nil); err == nil {
		limit = max(limit, 50*base.Duration)
	}
	r, err := c.call(ctx, "GET", "Users", q, nil)
	switch {
	case err != nil:
		c.failf("a filter nested %d deep got no answer: %v", nestingDepth, err)
	case r.Status == http.StatusBadRequest:
	case r.Status == http.StatusRequestURITooLong || r.Status == http.StatusRequestHeaderFieldsTooLarge:
		c.warnf("a filter nested %d deep was refused with %d before reaching the filter parser; safe, but it does not show the parser's depth bound", nestingDepth, r.Status)
	case r.Status >= 500:
		c.failf("a filter nested %d deep answered %d %s; want 400, a server error suggests the parser ran out of stack", nestingDepth, r.Status, snippet(r.Body))
	default:
		c.failf("a filter nested %d deep answered %d, want 400 (a bounded parser refuses it)", nestingDepth, r.Status)
	}
	if r != nil && r.Duration > limit {
		c.failf("a filter nested %d deep took %s to answer, more than %s (a tenth of the timeout, or 50 times a plain filtered listing)", nestingDepth, fmtDur(r.Duration), fmtDur(limit))
	}
	// A parser that crashed its process, or a goroutine still spinning, shows on the next call.
	r, err = c.call(ctx, "GET", "ServiceProviderConfig", "", nil)
	if err != nil || r.Status != http.StatusOK {
		status := 0
		if r != nil {
			status = r.Status
		}
		c.failf("after the nested filter, GET /ServiceProviderConfig answered %d (%v); the connector did not survive it", status, err)
	}
}

func checkPluralSPC20(ctx context.Context, c *checkRun) {
	r, err := c.call(ctx, "GET", "ServiceProviderConfigs", "", nil)
	if err != nil {
		c.warnf("%v", err)
		return
	}
	obj, ok := r.object()
	switch {
	case r.Status == http.StatusNotFound:
		c.notef("GET /ServiceProviderConfigs answered 404; clients that use the plural spelling fall back or fail")
	case r.Status == http.StatusOK && ok && hasSchema(obj, spcURN20):
	case r.Status == http.StatusOK:
		c.warnf("GET /ServiceProviderConfigs answered 200 but not with a ServiceProviderConfig (%s)", snippet(r.Body))
	default:
		c.warnf("GET /ServiceProviderConfigs answered %d %s; want the same document as /ServiceProviderConfig, or 404", r.Status, snippet(r.Body))
	}
}

func checkAuth20(ctx context.Context, c *checkRun) {
	e := c.env
	if len(e.opts.Header) == 0 && e.opts.BasicUser == "" {
		c.skipf("no credentials given (--header or --basic); nothing to withhold")
		return
	}
	noChallenge := 0
	for _, p := range []struct {
		mode authMode
		what string
	}{{authNone, "without credentials"}, {authWrong, "with wrong credentials"}} {
		r, err := e.cl.do(ctx, c, "GET", "Users", "startIndex=1&count=1", nil, p.mode)
		if err != nil {
			c.failf("%v", err)
			continue
		}
		if r.Status != http.StatusUnauthorized {
			c.failf("GET /Users %s answered %d, want 401", p.what, r.Status)
			continue
		}
		obj, ok := r.object()
		switch {
		case !ok:
			c.failf("GET /Users %s: 401 %s", p.what, errorBodyProblem(r))
		case !hasSchema(obj, errorURN20):
			c.failf("GET /Users %s: the 401 body does not declare %s", p.what, errorURN20)
		case obj["status"] != "401":
			c.failf("GET /Users %s: status is %s, want the string \"401\" (RFC 7644 §3.12)", p.what, jsonText(obj["status"]))
		}
		if r.Header.Get("WWW-Authenticate") == "" {
			noChallenge++
		}
	}
	if noChallenge > 0 {
		c.warnf("401 without a WWW-Authenticate header (RFC 7235 §3.1 requires one); Okta and Entra send their credentials without it")
	}
}
