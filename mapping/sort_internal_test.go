package mapping

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
)

type sortRec struct{ ID, Name string }
type sortGet struct{ ID string }
type sortGetResp struct{ Rec *sortRec }
type sortList struct {
	Page, Size int32
	Key        string
	Desc       bool
}
type sortListResp struct {
	Recs  []*sortRec
	Total int32
}

type sortCatalog struct{}

func (sortCatalog) Operations() []string { return []string{"Get", "List", "GetG", "ListG"} }
func (sortCatalog) Operation(name string) (OperationInfo, bool) {
	switch name {
	case "Get", "GetG":
		return OperationInfo{Name: name, Request: reflect.TypeOf(sortGet{}), Response: reflect.TypeOf(sortGetResp{})}, true
	case "List", "ListG":
		return OperationInfo{Name: name, Request: reflect.TypeOf(sortList{}), Response: reflect.TypeOf(sortListResp{})}, true
	}
	return OperationInfo{}, false
}

// sortApp holds 7 records named in an order unlike their ids, sorts by Name when asked (Key
// "name", Desc for descending) and records every request.
type sortApp struct{ calls []sortList }

func (a *sortApp) Invoke(_ context.Context, op string, req any) (any, error) {
	q := *req.(*sortList)
	a.calls = append(a.calls, q)
	names := []string{"g", "c", "e", "a", "f", "b", "d"}
	recs := make([]*sortRec, len(names))
	for i, n := range names {
		recs[i] = &sortRec{ID: fmt.Sprintf("r%d", i), Name: n}
	}
	if q.Key == "name" {
		slices.SortFunc(recs, func(x, y *sortRec) int {
			if q.Desc {
				return strings.Compare(y.Name, x.Name)
			}
			return strings.Compare(x.Name, y.Name)
		})
	}
	start := int((q.Page - 1) * q.Size)
	out := &sortListResp{Total: int32(len(recs))}
	for i := start; i < min(start+int(q.Size), len(recs)); i++ {
		out.Recs = append(out.Recs, recs[i])
	}
	return out, nil
}

// TestSortPushDownPages: users and groups sorted through a boolean direction field, page by
// page; an unsorted listing right after a sorted one (same pages, same sizes) is not answered
// from the sorted listing's kept pages, and an attribute the block does not name is not sent.
func TestSortPushDownPages(t *testing.T) {
	src := `client: sorted
users:
  toSCIM: { id: rec.ID, userName: rec.Name, displayName: rec.Name }
  get: { call: Get, request: { ID: id }, result: resp.Rec }
  list: { call: List, paging: &p { style: pageNumber, page: Page, size: Size, maxSize: 3 }, items: resp.Recs, total: resp.Total }
  sort: { by: { userName: name }, field: Key, order: Desc }
groups:
  toSCIM: { id: rec.ID, displayName: rec.Name }
  get: { call: GetG, request: { ID: id }, result: resp.Rec }
  list: { call: ListG, paging: *p, items: resp.Recs, total: resp.Total }
  sort: { by: { displayName: name }, field: Key, order: Desc }
`
	spec, err := Parse("sorted.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(spec, sortCatalog{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	caps := eng.Capabilities()
	if !slices.Equal(caps.SortUsers, []string{"userName"}) || !slices.Equal(caps.SortGroups, []string{"displayName"}) {
		t.Fatalf("capabilities sort %v / %v", caps.SortUsers, caps.SortGroups)
	}
	app := &sortApp{}
	b := eng.Backend(app, nil)
	ctx := context.Background()
	userNames := func(q backend.Query) string {
		var got []string
		for start := 1; start <= 7; start += 3 {
			q.StartIndex, q.Count = start, 3
			p, err := b.ListUsers(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range p.Users {
				got = append(got, u.UserName)
			}
		}
		return strings.Join(got, "")
	}
	if got := userNames(backend.Query{SortBy: "userName", SortDescending: true}); got != "gfedcba" {
		t.Errorf("users sorted descending: %s", got)
	}
	for _, c := range app.calls {
		if c.Key != "name" || !c.Desc {
			t.Errorf("a sorted listing's call without the sort: %+v", c)
		}
	}
	app.calls = nil
	if got := userNames(backend.Query{}); got != "gceafbd" {
		t.Errorf("unsorted after sorted: %s (pages kept from the sorted listing?)", got)
	}
	if got := userNames(backend.Query{SortBy: "displayName"}); got != "gceafbd" {
		t.Errorf("an attribute the block does not name: %s", got)
	}
	for _, c := range app.calls {
		if c.Key != "" || c.Desc {
			t.Errorf("an unsorted listing's call carries a sort: %+v", c)
		}
	}
	gp, err := b.ListGroups(ctx, backend.Query{StartIndex: 1, Count: 7, SortBy: "displayName"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range gp.Groups {
		names = append(names, g.DisplayName)
	}
	if strings.Join(names, "") != "abcdefg" || gp.Total != 7 {
		t.Errorf("groups sorted ascending: %v total %d", names, gp.Total)
	}
}
