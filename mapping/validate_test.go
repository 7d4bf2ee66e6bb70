package mapping

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every validation rule has a tiny invalid file under testdata/invalid and its exact expected
// problems here: the messages are the product's user interface for mapping authors.
var invalidFiles = map[string]string{
	"create-without-fromscim.yaml": `testdata/invalid/create-without-fromscim.yaml:5:11: users.create: needs a fromSCIM block (how a user becomes a record)`,
	"empty.yaml":                   `testdata/invalid/empty.yaml: the mapping file is empty`,
	"expression-syntax.yaml":       `testdata/invalid/expression-syntax.yaml:7:12: users.list.items: expression unexpected token EOF (1:15)`,
	"fault-kind.yaml": `testdata/invalid/fault-kind.yaml:3:39: faults[0].kind: unknown kind "conflicts" (one of internal, notFound, conflict, invalid, policy, unavailable, timeout, failed) (did you mean "conflict"?)
testdata/invalid/fault-kind.yaml:4:5: faults[1]: a rule needs faultCode, detailCode or pattern`,
	"groups.yaml": `testdata/invalid/groups.yaml:6:3: groups: get: required (how to read one group)
testdata/invalid/groups.yaml:6:3: groups.toSCIM: displayName: required
testdata/invalid/groups.yaml:6:51: groups.toSCIM: "displayname" is not a group attribute (did you mean "displayName"?)
testdata/invalid/groups.yaml:7:19: groups.unknownMembers: "ignore" is neither skip nor fail
testdata/invalid/groups.yaml:8:14: groups.addMember: needs removeMember too (or use updateMembers): a bridge that can add members but not remove them cannot keep a group as Okta pushes it
testdata/invalid/groups.yaml:8:80: groups.addMember.request.Login: AddRoleMember has no field "Login"`,
	"items-type.yaml":     `testdata/invalid/items-type.yaml:5:39: users.list.items: the expression gives int32, not a list of records`,
	"missing-client.yaml": `testdata/invalid/missing-client.yaml:1:1: client: required (the name of the generated client, e.g. legacyhr)`,
	"missing-get.yaml":    `testdata/invalid/missing-get.yaml:3:3: users: get: required (how to read one user)`,
	"paging.yaml": `testdata/invalid/paging.yaml:7:22: users.list.paging.style: unknown paging style "cursor" (one of pageNumber, offset, none)
testdata/invalid/paging.yaml:11:17: users.search[0].paging: maxSize: required, a positive number (the largest page the application serves)
testdata/invalid/paging.yaml:11:44: users.search[0].paging.page: FindEmployees has no field "Page"
testdata/invalid/paging.yaml:11:56: users.search[0].paging.size: Login is a string, not a number`,
	"record-field.yaml": `testdata/invalid/record-field.yaml:7:5: users.fromSCIM.GivenNmae: Employee has no field "GivenNmae" (did you mean "GivenName"?)`,
	"record-type.yaml": `testdata/invalid/record-type.yaml:6:43: users.create.record: CreateEmployee.InitialPassword is a string, not the record type mapping.Employee
testdata/invalid/record-type.yaml:6:68: users.create.result: the expression gives *mapping.CreateEmployeeResponse, not the record type mapping.Employee`,
	"replace-options.yaml": `testdata/invalid/replace-options.yaml:6:24: users.replace.strategy: unknown strategy "patch"; v0 supports readMergeWrite
testdata/invalid/replace-options.yaml:6:39: users.replace.absent: "forget" is neither keep nor clear
testdata/invalid/replace-options.yaml:7:13: users: activate and deactivate go together; give both or neither`,
	"request-field.yaml": `testdata/invalid/request-field.yaml:5:46: users.delete.request.EmployeeId: DeleteEmployee has no field "EmployeeId" (did you mean "EmployeeID"?)`,
	"request-type.yaml": `testdata/invalid/request-type.yaml:5:106: users.create.request.Employee: cannot store a value of type string in a field of type mapping.Employee
testdata/invalid/request-type.yaml:6:46: users.fromSCIM.IsAdmin: cannot store a value of type soap.XSDDateTime in a field of type bool`,
	"result-field.yaml": `testdata/invalid/result-field.yaml:4:66: users.get.result: expression type mapping.Employee has no field Nope (1:15)`,
	"search-rules.yaml": `testdata/invalid/search-rules.yaml:6:7: users.search[0]: shape: required (e.g. "userName eq")
testdata/invalid/search-rules.yaml:7:30: users.search[1].use: unknown block "list"; v0 can use "get"
testdata/invalid/search-rules.yaml:9:16: users.search[3].shape: "username eq" already has a rule
testdata/invalid/search-rules.yaml:10:13: users.fallback: maxScan: required, a positive number
testdata/invalid/search-rules.yaml:10:13: users.fallback: needs a list block to scan`,
	"toscim-expression.yaml": `testdata/invalid/toscim-expression.yaml:3:43: users.toSCIM.userName: expression type mapping.Employee has no field Logon (1:5) (did you mean "Login"?)`,
	"toscim-key.yaml": `testdata/invalid/toscim-key.yaml:3:54: users.toSCIM: "displayname" is not a user attribute (did you mean "displayName"?)
testdata/invalid/toscim-key.yaml:3:84: users.toSCIM: "name.nickName" is not a user attribute (did you mean "name.givenName"?)`,
	"unknown-key.yaml":       `testdata/invalid/unknown-key.yaml:5:3: users.lsit: unknown key (did you mean "list"?)`,
	"unknown-operation.yaml": `testdata/invalid/unknown-operation.yaml:5:19: users.delete.call: unknown operation "DeleteEmploye" (did you mean "DeleteEmployee"?)`,
	"user-env.yaml": `testdata/invalid/user-env.yaml:5:77: users.setPassword.request.NewPassword: expression unknown name user (1:1)
testdata/invalid/user-env.yaml:6:58: users.delete.request.EmployeeID: expression too many arguments to call lower (1:1)`,
	"wrong-value-type.yaml": `testdata/invalid/wrong-value-type.yaml:7:77: users.list.paging.maxSize: expected an integer`,
	"yaml-syntax.yaml":      `testdata/invalid/yaml-syntax.yaml:2: did not find expected ',' or '}'`,
	// issue #4: steps, conditions, fault patterns, paging styles, fetch, change tracking, map records.
	"steps.yaml": `testdata/invalid/steps.yaml:5:5: users.get: give either steps or the keys of one step (call, record, request, result, when, as, fail), not both
testdata/invalid/steps.yaml:5:5: users.get: result: required (the expression that gives the record, e.g. resp.Employee)
testdata/invalid/steps.yaml:7:63: users.get.steps[0].as: "resp" is already a name in this block
testdata/invalid/steps.yaml:8:63: users.get.steps[1].as: "first one" is not a name (letters, digits, _)
testdata/invalid/steps.yaml:9:9: users.get.steps[2].steps: steps do not nest
testdata/invalid/steps.yaml:10:72: users.get.steps[3].id: id belongs to the block, not to one of its steps
testdata/invalid/steps.yaml:11:53: users.get.steps[4].request.EmployeeID: expression type mapping.Employee has no field Logn (1:14) (did you mean "Login"?)`,
	"when-fail.yaml": `testdata/invalid/when-fail.yaml:7:17: users.delete.steps[0].when: the condition gives int, not a boolean
testdata/invalid/when-fail.yaml:8:35: users.delete.steps[1].fail: message: required (what the SCIM client is told)
testdata/invalid/when-fail.yaml:8:43: users.delete.steps[1].fail.kind: unknown kind "refused" (one of internal, notFound, conflict, invalid, policy, unavailable, timeout, failed)
testdata/invalid/when-fail.yaml:9:17: users.delete.steps[2].fail: a fail step calls nothing; give only when and fail
testdata/invalid/when-fail.yaml:9:17: users.delete.steps[2].fail: kind: required`,
	"fault-pattern.yaml": "testdata/invalid/fault-pattern.yaml:3:16: faults[0].pattern: error parsing regexp: missing closing ): `(?i)already exist(s`",
	"paging-none.yaml": `testdata/invalid/paging-none.yaml:7:34: users.list.paging.page: not used by paging style none
testdata/invalid/paging-none.yaml:7:53: users.list.paging.limit: ListEmployees has no field "Nope"
testdata/invalid/paging-none.yaml:7:86: users.list.paging.snapshotTTL: "soon" is not a duration such as "2m"
testdata/invalid/paging-none.yaml:11:98: users.search[0].paging.snapshotTTL: only style none keeps snapshots`,
	"fetch.yaml": `testdata/invalid/fetch.yaml:5:39: users.list.items: with fetch, the expression must give a list of ids, it gives []*mapping.Employee
testdata/invalid/fetch.yaml:7:86: users.search[0].items: with fetch, the expression must give a list of ids, it gives []*mapping.Employee
testdata/invalid/fetch.yaml:7:109: users.search[0].fetch: unknown block "list"; items can be fetched with "get"`,
	"change-tracking.yaml": `testdata/invalid/change-tracking.yaml:5:19: users.changeTracking: needs a fallback block (meta.lastModified filters scan at most fallback.maxScan users)
testdata/invalid/change-tracking.yaml:9:11: groups.create: result or id: required (the expression that gives the record, or the new id to read it with get)
testdata/invalid/change-tracking.yaml:10:14: groups.addMember: needs toSCIM.members: without reading a group's members the bridge cannot tell which to remove, and a PUT that drops a member would answer success without removing it
testdata/invalid/change-tracking.yaml:10:14: groups.addMember: needs removeMember too (or use updateMembers): a bridge that can add members but not remove them cannot keep a group as Okta pushes it
testdata/invalid/change-tracking.yaml:11:18: groups.updateMembers: give updateMembers or addMember/removeMember, not both
testdata/invalid/change-tracking.yaml:11:18: groups.updateMembers: needs toSCIM.members: without reading a group's members the bridge cannot tell which to remove, and a PUT that drops a member would answer success without removing it
testdata/invalid/change-tracking.yaml:11:76: groups.updateMembers.request.EmployeeID: cannot store a value of type []interface {} in a field of type string`,
	"map-record.yaml": `testdata/invalid/map-record.yaml:5:15: users.fromSCIM: the record is built by expressions (get's result is a map); set request fields from user instead
testdata/invalid/map-record.yaml:6:43: users.create.record: the record is built by expressions (get's result is a map); set request fields from user instead
testdata/invalid/map-record.yaml:6:61: users.create.result: the expression gives *mapping.Employee, not the record type map[string]interface {}`,
}

func TestInvalidMappings(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(invalidFiles) {
		t.Errorf("%d files in testdata/invalid, %d expectations: keep them one to one", len(files), len(invalidFiles))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			want, ok := invalidFiles[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			spec, err := Load(path)
			if err == nil {
				_, err = Compile(spec, fakeCatalog{}, Options{})
			}
			if err == nil {
				t.Fatal("accepted")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList: %v", err, err)
			}
			if got := err.Error(); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// The shipped file and the documented examples must compile.
func TestShippedMappingsCompile(t *testing.T) {
	for _, path := range []string{"defaults/legacyhr.yaml", "../deploy/examples/legacyhr.mapping.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		eng := compileYAML(t, data)
		if eng.Client() != "legacyhr" {
			t.Errorf("%s: client = %q", path, eng.Client())
		}
	}
}

func TestParseRejectsDuplicateAndNonScalar(t *testing.T) {
	src := "client: legacyhr\nclient: other\nusers:\n  toSCIM: { id: [1] }\n"
	_, err := Parse("dup.yaml", []byte(src))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"dup.yaml:2:1: client: duplicate key", "dup.yaml:4:17: users.toSCIM.id: expected an expression, got a list"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// TestParseBoundsAliasExpansion: aliases of lists of aliases expand exponentially (here 10^8
// steps from under 500 bytes). Parse must refuse such a file at once, with a position, instead
// of decoding it for minutes.
func TestParseBoundsAliasExpansion(t *testing.T) {
	var b strings.Builder
	b.WriteString("client: x\nx0: &s0 {call: a}\n")
	for i := 1; i <= 8; i++ {
		refs := strings.TrimSuffix(strings.Repeat("*s"+strconv.Itoa(i-1)+",", 10), ",")
		fmt.Fprintf(&b, "x%d: &s%d {steps: [%s]}\n", i, i, refs)
	}
	b.WriteString("users: {get: *s8}\n")
	start := time.Now()
	_, err := Parse("bomb.yaml", []byte(b.String()))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Parse took %v", d)
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse = %v, want an ErrorList", err)
	}
	found := false
	for _, p := range list {
		found = found || (p.Pos.Line > 0 && strings.Contains(p.Msg, "expands to more than 10000 values"))
	}
	if !found {
		t.Errorf("problems = %v, want one positioned 'expands to more than 10000 values'", err)
	}
}
