package mapping

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
)

type offRec struct{ ID string }
type offGet struct{ ID string }
type offGetResp struct{ Rec *offRec }
type offList struct{ Skip, Take int32 }
type offListResp struct {
	Recs  []*offRec
	Total int32
}

type offCatalog struct{}

func (offCatalog) Operations() []string { return []string{"Get", "List"} }
func (offCatalog) Operation(name string) (OperationInfo, bool) {
	switch name {
	case "Get":
		return OperationInfo{Name: name, Request: reflect.TypeOf(offGet{}), Response: reflect.TypeOf(offGetResp{})}, true
	case "List":
		return OperationInfo{Name: name, Request: reflect.TypeOf(offList{}), Response: reflect.TypeOf(offListResp{})}, true
	}
	return OperationInfo{}, false
}

// offApp holds 10 records and records every (skip, take) it is asked for.
type offApp struct{ calls [][2]int32 }

func (a *offApp) Invoke(_ context.Context, op string, req any) (any, error) {
	q := req.(*offList)
	a.calls = append(a.calls, [2]int32{q.Skip, q.Take})
	out := &offListResp{Total: 10}
	for i := q.Skip; i < min(q.Skip+q.Take, 10); i++ {
		out.Recs = append(out.Recs, &offRec{ID: fmt.Sprintf("r%d", i)})
	}
	return out, nil
}

// Offset paging: startIndex maps to a 0-based offset without page alignment, counts above
// maxSize take several calls.
func TestOffsetPaging(t *testing.T) {
	src := `client: off
users:
  toSCIM: { id: rec.ID, userName: rec.ID }
  get: { call: Get, request: { ID: id }, result: resp.Rec }
  list: { call: List, paging: { style: offset, offset: Skip, size: Take, maxSize: 3 }, items: resp.Recs, total: resp.Total }
`
	spec, err := Parse("off.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(spec, offCatalog{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	app := &offApp{}
	page, err := eng.Backend(app, nil).ListUsers(context.Background(), backend.Query{StartIndex: 5, Count: 5})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range page.Users {
		ids = append(ids, u.ID)
	}
	if fmt.Sprint(ids) != "[r4 r5 r6 r7 r8]" || page.Total != 10 {
		t.Errorf("page = %v total %d", ids, page.Total)
	}
	if fmt.Sprint(app.calls) != "[[4 3] [7 3]]" {
		t.Errorf("calls (skip, take) = %v, want [[4 3] [7 3]]", app.calls)
	}
}
