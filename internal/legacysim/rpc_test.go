package legacysim

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// rpcOp is an rpc/literal operation element: the wrapper prefixed in the binding's namespace,
// parts and their fields unqualified.
func rpcOp(op, inner string) string {
	return `<rpc:` + op + ` xmlns:rpc="` + Namespace + `">` + inner + `</rpc:` + op + `>`
}

// The rpc/literal variant reads unqualified parts, answers with a prefixed wrapper and
// unqualified parts (lists wrapped in one part), refuses document/literal-shaped requests, and
// serves its own WSDL.
func TestRPCLiteralEndpoint(t *testing.T) {
	s := newSim(t, func(o *Options) { o.RPCLiteral = true })
	hdr := wsseText(testUser, testPass)
	call := func(op, inner string) result {
		return post(t, s.url, `"`+Namespace+`/`+op+`"`, envelopeWith(hdr, rpcOp(op, inner)))
	}

	r := call("CreateEmployee", `<Employee><Login>rpc.user</Login><GivenName>R</GivenName><Enabled>true</Enabled></Employee><InitialPassword>long-enough-1</InitialPassword>`)
	if r.status != 200 || !strings.Contains(r.body, `<hr:CreateEmployeeResponse xmlns:hr="`+Namespace+`"><Employee><EmployeeID>`) ||
		!strings.Contains(r.body, `<Login>rpc.user</Login>`) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := between(r.body, "<EmployeeID>", "</EmployeeID>")

	r = call("ListEmployees", `<PageNumber>1</PageNumber><PageSize>10</PageSize>`)
	if r.status != 200 || !strings.Contains(r.body, `<Employees><Employee><EmployeeID>`+id+`</EmployeeID>`) ||
		!strings.Contains(r.body, `</Employee></Employees><TotalCount>1</TotalCount></hr:ListEmployeesResponse>`) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	r = call("FindEmployees", `<Login>nobody</Login><PageNumber>1</PageNumber><PageSize>10</PageSize>`)
	if r.status != 200 || !strings.Contains(r.body, `<Employees></Employees><TotalCount>0</TotalCount>`) {
		t.Fatalf("empty find: %d %s", r.status, r.body)
	}
	r = call("DeleteEmployee", `<EmployeeID>`+id+`</EmployeeID>`)
	if r.status != 200 || !strings.Contains(r.body, `<hr:DeleteEmployeeResponse xmlns:hr="`+Namespace+`"></hr:DeleteEmployeeResponse>`) {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	r = call("GetEmployee", `<EmployeeID>`+id+`</EmployeeID>`)
	if r.status != 500 || !strings.Contains(r.body, `<hr:Code>HR-NOT-FOUND</hr:Code>`) {
		t.Fatalf("get deleted: %d %s", r.status, r.body)
	}

	// Document/literal shapes: qualified parts (as the default namespace or a prefix), and
	// qualified fields inside an unqualified part.
	for name, body := range map[string]string{
		"default namespace": opXML("GetEmployee", `<EmployeeID>x</EmployeeID>`),
		"prefixed part":     rpcOp("GetEmployee", `<rpc:EmployeeID>x</rpc:EmployeeID>`),
		"qualified field":   rpcOp("UpdateEmployee", `<Employee xmlns:q="`+Namespace+`"><q:Login>x</q:Login></Employee>`),
	} {
		r = post(t, s.url, "''", envelopeWith(hdr, body))
		if r.status != 500 || !strings.Contains(r.body, "HR-INVALID") || !strings.Contains(r.body, "looks like a document/literal request") {
			t.Errorf("%s accepted by the rpc/literal endpoint: %d %s", name, r.status, r.body)
		}
	}
	// Trailing content after the wrapper is still refused.
	r = post(t, s.url, "''", envelopeWith(hdr, rpcOp("GetEmployee", `<EmployeeID>x</EmployeeID>`)+`<extra/>`))
	if r.status != 500 || !strings.Contains(r.body, "after the operation element") {
		t.Errorf("trailing element: %d %s", r.status, r.body)
	}

	resp, err := http.Get(s.url + "?wsdl")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wsdlDoc, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(wsdlDoc), `<soap:binding style="rpc"`) {
		t.Errorf("?wsdl does not serve the rpc/literal contract: %.300s", wsdlDoc)
	}
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}
