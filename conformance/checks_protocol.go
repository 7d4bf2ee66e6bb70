package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// pageWalk is the result of paging one listing to its end.
type pageWalk struct {
	IDs      []string
	Pages    int
	TooMany  bool
	Problems []string
}

// walk pages GET /<resource> the way the agent does: startIndex from 1, then startIndex+count,
// until totalResults is reached, bounded by --max-pages. filter is unencoded ("" for none).
func (e *env) walk(ctx context.Context, c *checkRun, resource, filter string, pageSize int) (*pageWalk, error) {
	w := &pageWalk{}
	total, haveTotal := -1, false
	seen := map[string]int{}
	start := 1
	gapReported := false
	for page := 1; ; page++ {
		if page > e.opts.MaxPages {
			w.TooMany = true
			return w, nil
		}
		q := fmt.Sprintf("startIndex=%d&count=%d", start, pageSize)
		if filter != "" {
			q = strings.TrimSuffix(filterQuery(filter, false), "&startIndex=1&count=100") + "&" + q
		}
		r, err := c.call(ctx, "GET", resource, q, nil)
		if err != nil {
			return w, err
		}
		obj, ok := r.object()
		if r.Status != http.StatusOK || !ok {
			return w, fmt.Errorf("GET /%s?%s answered %d %s, want 200 with a list", resource, q, r.Status, snippet(r.Body))
		}
		w.Pages = page
		items, lc := e.d.ListResources(obj)
		where := fmt.Sprintf("page startIndex=%d count=%d", start, pageSize)
		if lc.HasTotal {
			if !haveTotal {
				total, haveTotal = lc.Total, true
				if pages := (total + pageSize - 1) / pageSize; pages > e.opts.MaxPages {
					w.TooMany = true
					return w, nil
				}
			} else if lc.Total != total {
				w.Problems = append(w.Problems, fmt.Sprintf("%s: totalResults changed from %d to %d (was the connector changed during the run?)", where, total, lc.Total))
			}
		} else if page == 1 {
			w.Problems = append(w.Problems, "no readable totalResults: the agent cannot tell when the listing ends")
		}
		if len(items) > pageSize {
			w.Problems = append(w.Problems, fmt.Sprintf("%s: %d resources returned, more than count (count ignored; agent 3.0.6+ may ask for any count)", where, len(items)))
		}
		if lc.HasStart && lc.StartIndex != start {
			w.Problems = append(w.Problems, fmt.Sprintf("%s: answer says startIndex %d", where, lc.StartIndex))
		}
		if lc.HasItems && lc.ItemsPerPage != len(items) {
			c.warnf("%s: itemsPerPage is %d but %d resources came back", where, lc.ItemsPerPage, len(items))
		}
		for i, it := range items {
			id, ok := idOf(it)
			if !ok {
				w.Problems = append(w.Problems, fmt.Sprintf("%s: Resources[%d] has no id", where, i))
				continue
			}
			if prev, dup := seen[id]; dup {
				w.Problems = append(w.Problems, fmt.Sprintf("%s: id %q already listed on page %d (duplicate across pages)", where, id, prev))
			} else {
				seen[id] = page
			}
			w.IDs = append(w.IDs, id)
		}
		if len(items) == 0 {
			if haveTotal && len(seen) < total {
				gapReported = true
				w.Problems = append(w.Problems, fmt.Sprintf("%s: empty page after %d of %d resources (gap)", where, len(seen), total))
			}
			break
		}
		start += pageSize
		if (haveTotal && start > total) || (!haveTotal && len(items) < pageSize) {
			break
		}
	}
	switch {
	case haveTotal && len(seen) < total && !gapReported:
		w.Problems = append(w.Problems, fmt.Sprintf("paged %d distinct resources of totalResults %d: some were never listed (gap)", len(seen), total))
	case haveTotal && len(seen) > total:
		w.Problems = append(w.Problems, fmt.Sprintf("paged %d distinct resources but totalResults is %d", len(seen), total))
	}
	return w, nil
}

// checkPaging pages the whole listing twice, with a count other than 100 and with 100, and
// wants both walks to agree. It never depends on how many resources exist already.
func checkPaging(ctx context.Context, c *checkRun, resource string) {
	e := c.env
	var ownID string
	if resource == "Users" && e.has(CapPushNewUsers) {
		u := e.sharedUser(ctx, c)
		if u == nil {
			return
		}
		ownID = u.ID
	}
	if resource == "Groups" && e.has(CapGroupPush) {
		g := e.sharedGroupFor(ctx, c)
		if g == nil {
			return
		}
		ownID = g.ID
	}
	var walks [2]*pageWalk
	for i, size := range []int{7, 100} {
		w, err := e.walk(ctx, c, resource, "", size)
		if err != nil {
			c.failf("count=%d: %v", size, err)
			return
		}
		if w.TooMany {
			c.skipf("too many %s: more than --max-pages=%d pages of %d", strings.ToLower(resource), e.opts.MaxPages, size)
			c.res.Failures = nil
			return
		}
		for _, p := range w.Problems {
			c.failf("count=%d: %s", size, p)
		}
		if ownID != "" {
			if n := count(w.IDs, ownID); n != 1 {
				c.failf("count=%d: this run's own resource %s appears %d times, want once", size, ownID, n)
			}
		}
		walks[i] = w
	}
	a, b := walks[0].IDs, walks[1].IDs
	if !slices.Equal(a, b) {
		if sa, sb := sortedCopy(a), sortedCopy(b); !slices.Equal(sa, sb) {
			c.failf("count=7 and count=100 listed different sets (%d vs %d ids)", len(a), len(b))
		} else {
			c.failf("count=7 and count=100 listed the same ids in a different order: the order is not stable")
		}
	}
	c.notef("%s, %s of 7 and %d of 100", plural(len(b), strings.TrimSuffix(strings.ToLower(resource), "s")), plural(walks[0].Pages, "page"), walks[1].Pages)
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// incremental runs the incremental-import probe: changed is updated after a reference time,
// idle is not. The reference time comes from the connector's own clock (its Date header) when
// it sends one, because tester and connector clocks may differ.
func (e *env) incremental(ctx context.Context, c *checkRun, changed, idle *testUser) error {
	r, err := c.call(ctx, "GET", e.d.CapabilitiesPath(), "", nil)
	if err != nil {
		return err
	}
	arrived := time.Now()
	ref, src := arrived, "the tester's clock (no Date header)"
	if d, err := http.ParseTime(r.Header.Get("Date")); err == nil {
		ref, src = d, "the connector's clock"
	}
	// Both users were last touched at or before ref; anything changed after ref+1s is
	// strictly later even on a connector that keeps whole seconds.
	mark := ref.Truncate(time.Second).Add(time.Second)
	wait := time.Until(arrived.Add(2*time.Second + 50*time.Millisecond))
	if err := e.opts.sleep(ctx, wait); err != nil {
		return err
	}
	changed.FamilyName += "-inc"
	if _, err := e.putUser(ctx, c, changed); err != nil {
		return fmt.Errorf("update before the incremental import: %w", err)
	}
	f := e.d.IncrementalFilter(mark)
	w, err := e.walk(ctx, c, "Users", f, 100)
	if err != nil {
		return err
	}
	var problems []string
	problems = append(problems, w.Problems...)
	if count(w.IDs, changed.ID) != 1 {
		problems = append(problems, fmt.Sprintf("%s does not list user %s, changed after that time", f, changed.ID))
	}
	if count(w.IDs, idle.ID) != 0 {
		problems = append(problems, fmt.Sprintf("%s lists user %s, untouched since before that time (filter ignored?)", f, idle.ID))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s (reference time from %s)", strings.Join(problems, "; "), src)
	}
	return nil
}

func checkIncremental(ctx context.Context, c *checkRun) {
	e := c.env
	changed := e.fixtureUser(ctx, c, "inc-changed", true)
	if changed == nil {
		return
	}
	idle := e.fixtureUser(ctx, c, "inc-idle", true)
	if idle == nil {
		return
	}
	if err := e.incremental(ctx, c, changed, idle); err != nil {
		c.failf("%v", err)
	}
}

// checkLifecycle plays the agent's sequence on one user. A failed step is reported and the
// scenario goes on where it can; only a failed assignment ends it.
func checkLifecycle(ctx context.Context, c *checkRun) {
	e := c.env
	step := func(name string, err error) {
		if err != nil {
			c.failf("%s: %v", name, err)
			c.notef("FAIL %s", name)
		} else {
			c.notef("ok   %s", name)
		}
	}
	skip := func(name, capability string) { c.notef("skip %s (needs %s)", name, capability) }
	pending := e.has(CapPushPendingUsers)
	u := e.newUser("lifecycle", !pending)

	// Assign: existence check (a miss), then create.
	f := e.d.ExistenceFilter(u)
	r, err := c.call(ctx, "GET", "Users", filterQuery(f, false), nil)
	if err == nil {
		obj, ok := r.object()
		if r.Status != http.StatusOK || !ok {
			err = fmt.Errorf("existence check answered %d %s, want 200 with an empty list", r.Status, snippet(r.Body))
		} else if items, _ := e.d.ListResources(obj); len(items) != 0 {
			err = fmt.Errorf("existence check for a new user found %d users", len(items))
		}
	}
	step("assign: existence check "+f, err)
	_, problems, err := e.createUser(ctx, c, u)
	if err == nil && len(problems) > 0 {
		err = fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	state := "active"
	if pending {
		state = "pending"
	}
	step("assign: create "+state+" user", err)
	if err != nil || u.ID == "" {
		return
	}
	var idle *testUser
	if e.has(CapIncrementalImports) {
		if idle = e.fixtureUser(ctx, c, "lifecycle-idle", true); idle == nil {
			return
		}
	}
	verify := func(want bool) error {
		if !e.has(CapImportProfileUpdates) {
			return nil
		}
		obj, ok := e.getUser(ctx, c, u.ID)
		if !ok {
			return fmt.Errorf("could not read the user back")
		}
		if a, ok := activeOf(obj); !ok || a != want {
			return fmt.Errorf("user reads back active=%v, want %v", obj["active"], want)
		}
		return nil
	}
	if pending {
		u.Active = true
		r, err := e.putUser(ctx, c, u)
		if err == nil {
			if obj, ok := r.object(); !ok {
				err = fmt.Errorf("answer is not a JSON user; Okta reads active from it")
			} else if a, ok := activeOf(obj); !ok || !a {
				err = fmt.Errorf("answer says active=%v; Okta reads it", obj["active"])
			}
		}
		step("activate", err)
	}
	if e.has(CapPushProfileUpdates) {
		u.FamilyName = "Lifecycle" + e.runID
		_, err := e.putUser(ctx, c, u)
		if err == nil && e.has(CapImportProfileUpdates) {
			if obj, ok := e.getUser(ctx, c, u.ID); ok && stringAt(obj, "name", "familyName") != u.FamilyName {
				err = fmt.Errorf("familyName reads back %q, want %q", stringAt(obj, "name", "familyName"), u.FamilyName)
			}
		}
		step("profile update", err)
	} else {
		skip("profile update", CapPushProfileUpdates)
	}
	if e.has(CapPushPasswordUpdates) {
		u.Password = "Sb-" + e.runID + "-Lifecycle3!"
		_, err := e.putUser(ctx, c, u)
		step("password update", err)
	} else {
		skip("password update", CapPushPasswordUpdates)
	}
	deactivated := false
	if e.has(CapPushUserDeactivation) {
		u.Active = false
		_, err := e.putUser(ctx, c, u)
		if err == nil {
			deactivated = true
			err = verify(false)
		} else {
			u.Active = true
		}
		step("deactivate", err)
	} else {
		skip("deactivate", CapPushUserDeactivation)
	}
	if e.has(CapReactivateUsers) && deactivated {
		u.Active = true
		_, err := e.putUser(ctx, c, u)
		if err == nil {
			err = verify(true)
		} else {
			u.Active = false
		}
		step("reactivate", err)
	} else {
		skip("reactivate", CapReactivateUsers+" after a deactivation")
	}
	if e.has(CapGroupPush) {
		step("group push", e.groupPush(ctx, c, u))
	} else {
		skip("group push", CapGroupPush)
	}
	if e.has(CapImportNewUsers) {
		w, err := e.walk(ctx, c, "Users", "", 100)
		if err == nil && !w.TooMany {
			if len(w.Problems) > 0 {
				err = fmt.Errorf("%s", strings.Join(w.Problems, "; "))
			} else if n := count(w.IDs, u.ID); n != 1 {
				err = fmt.Errorf("the user appears %d times in the import, want once", n)
			}
		}
		step("import", err)
	} else {
		skip("import", CapImportNewUsers)
	}
	if idle != nil && e.has(CapPushProfileUpdates) {
		step("incremental import", e.incremental(ctx, c, u, idle))
	} else {
		skip("incremental import", CapIncrementalImports+" and "+CapPushProfileUpdates)
	}
}

// groupPush is the Group Push sequence: create with the user as member, rename, read, delete.
func (e *env) groupPush(ctx context.Context, c *checkRun, u *testUser) error {
	g := e.newGroup("lifecycle")
	g.Members = []*testUser{u}
	_, problems, err := e.createGroup(ctx, c, g)
	if err != nil {
		return err
	}
	if len(problems) > 0 || g.ID == "" {
		return fmt.Errorf("create: %s", strings.Join(problems, "; "))
	}
	g.DisplayName += "-renamed"
	r, err := c.call(ctx, "PUT", "Groups/"+url.PathEscape(g.ID), "", e.d.GroupBody(g))
	if err != nil {
		return err
	}
	if r.Status < 200 || r.Status > 299 {
		return fmt.Errorf("PUT /Groups/%s answered %d %s", g.ID, r.Status, snippet(r.Body))
	}
	r, err = c.call(ctx, "GET", "Groups/"+url.PathEscape(g.ID), "", nil)
	if err != nil {
		return err
	}
	obj, ok := r.object()
	if r.Status != http.StatusOK || !ok {
		return fmt.Errorf("GET /Groups/%s answered %d", g.ID, r.Status)
	}
	if stringAt(obj, "displayName") != g.DisplayName || !hasMember(obj, u.ID) {
		return fmt.Errorf("group reads back as %q with members %s, want %q with user %s", stringAt(obj, "displayName"), jsonText(obj["members"]), g.DisplayName, u.ID)
	}
	r, err = c.call(ctx, "DELETE", "Groups/"+url.PathEscape(g.ID), "", nil)
	if err != nil {
		return err
	}
	if r.Status < 200 || r.Status > 299 {
		return fmt.Errorf("DELETE /Groups/%s answered %d", g.ID, r.Status)
	}
	g.Deleted = true
	return nil
}

// errorBodyProblem says what is wrong with an error answer's body, or "" when it is JSON.
func errorBodyProblem(r *response) string {
	if _, ok := r.JSON.(map[string]any); ok {
		return ""
	}
	return fmt.Sprintf("body is not a JSON object (%s, Content-Type %q); Okta's clients fail on non-JSON errors", snippet(r.Body), r.Header.Get("Content-Type"))
}

func checkErrors404(ctx context.Context, c *checkRun) {
	e := c.env
	missing := url.PathEscape("sbtest-" + e.runID + "-missing")
	probes := [][2]string{{"GET", "Users/" + missing}}
	if e.has(CapGroupPush) {
		probes = append(probes, [2]string{"GET", "Groups/" + missing}, [2]string{"DELETE", "Groups/" + missing})
	}
	for _, p := range probes {
		r, err := c.call(ctx, p[0], p[1], "", nil)
		if err != nil {
			c.failf("%v", err)
			continue
		}
		if r.Status != http.StatusNotFound {
			c.failf("%s /%s answered %d, want 404", p[0], p[1], r.Status)
			continue
		}
		if prob := errorBodyProblem(r); prob != "" {
			c.failf("%s /%s: 404 %s", p[0], p[1], prob)
		}
	}
}

func checkDuplicateUser(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.sharedUser(ctx, c)
	if u == nil {
		return
	}
	dup := *u
	dup.ID, dup.Label = "", "dup"
	r, err := c.call(ctx, "POST", "Users", "", e.d.UserBody(&dup))
	if err != nil {
		c.failf("%v", err)
		return
	}
	switch {
	case r.Status == http.StatusConflict:
		if prob := errorBodyProblem(r); prob != "" {
			c.failf("409 %s", prob)
		}
	case r.Status >= 200 && r.Status <= 299:
		obj, _ := r.object()
		id, ok := idOf(obj)
		switch {
		case !ok:
			c.failf("a duplicate create answered %d without an id; want 409, or the existing user", r.Status)
		case id == u.ID:
			c.notef("the connector linked the duplicate create to the existing user %s (accepted; 409 is the SDK's answer)", id)
		default:
			dup.ID = id
			e.users = append(e.users, &dup)
			c.failf("a second user %s (id %s) was created with the same userName as %s; want 409", dup.UserName, id, u.ID)
		}
	default:
		c.failf("duplicate create answered %d %s, want 409", r.Status, snippet(r.Body))
	}
}

func checkBadFilter(ctx context.Context, c *checkRun) {
	const bad = "userName eq"
	r, err := c.call(ctx, "GET", "Users", filterQuery(bad, false), nil)
	if err != nil {
		c.failf("%v", err)
		return
	}
	if r.Status != http.StatusBadRequest {
		c.failf("filter %q (no value) answered %d, want 400; a connector that guesses may link the wrong user", bad, r.Status)
		return
	}
	if prob := errorBodyProblem(r); prob != "" {
		c.failf("400 %s", prob)
	}
}

func checkPlusEncoding(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.sharedUser(ctx, c)
	if u == nil {
		return
	}
	f := e.d.ExistenceFilter(u)
	items, ok := e.filterList(ctx, c, f, true)
	if !ok {
		return
	}
	if len(items) != 1 {
		c.failf("filter with + for spaces found %s, want the one created; decode + as a space", plural(len(items), "user"))
		return
	}
	if id, _ := idOf(items[0]); id != u.ID {
		c.failf("filter with + for spaces found id %q, want %q", id, u.ID)
	}
}

// shapeProbe makes sure the shape checks have answers to examine even when they run alone.
func (e *env) shapeProbe(ctx context.Context, c *checkRun) {
	if e.probed {
		return
	}
	e.probed = true
	if e.has(CapImportNewUsers) {
		if r, err := c.call(ctx, "GET", "Users", "startIndex=1&count=10", nil); err == nil {
			if obj, ok := r.object(); ok && e.has(CapImportProfileUpdates) {
				if items, _ := e.d.ListResources(obj); len(items) > 0 {
					if id, ok := idOf(items[0]); ok {
						_, _ = c.call(ctx, "GET", "Users/"+url.PathEscape(id), "", nil)
					}
				}
			}
		}
		_, _ = c.call(ctx, "GET", "Groups", "startIndex=1&count=10", nil)
	}
}

// shapeCheck builds the check for one shape rule over every successful answer of the run.
func shapeCheck(rule string) func(ctx context.Context, c *checkRun) {
	return func(ctx context.Context, c *checkRun) {
		e := c.env
		e.shapeProbe(ctx, c)
		if len(e.observed) == 0 {
			c.skipf("no user, group or list answers to examine")
			return
		}
		const shown = 5
		var fails, warns []string
		for _, o := range e.observed {
			for _, v := range e.d.Shape(o) {
				if v.Rule != rule {
					continue
				}
				msg := o.Method + " " + trimPath(o.Path) + ": " + v.Msg
				if v.Warn {
					warns = appendUnique(warns, msg)
				} else {
					fails = appendUnique(fails, msg)
				}
			}
		}
		for i, f := range fails {
			if i == shown {
				c.failf("… and %d more", len(fails)-shown)
				break
			}
			c.failf("%s", f)
		}
		for i, w := range warns {
			if i == shown {
				c.warnf("… and %d more", len(warns)-shown)
				break
			}
			c.warnf("%s", w)
		}
		c.notef("examined %d answers", len(e.observed))
	}
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
