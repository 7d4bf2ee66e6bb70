package mapping

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/mapping/defaults"
)

// A client's own refusal and unreadable-reply errors, as soapclient's look: the engine knows
// them only by their methods.
type refusedErr struct{ wait time.Duration }

func (e *refusedErr) Error() string             { return "refused" }
func (e *refusedErr) Refused() bool             { return true }
func (e *refusedErr) RetryAfter() time.Duration { return e.wait }
func (e *refusedErr) ClientMessage() string     { return "scimbridge stops calling it for 30s" }

type malformedErr struct{}

func (malformedErr) Error() string        { return "xml syntax error on line 1" }
func (malformedErr) MalformedReply() bool { return true }

type clientFault struct{ hrFault }

func (f *clientFault) FaultCode() string { return "soap:Client" }

func TestClassifyClientErrors(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		kind  backend.Kind
		msg   string
		retry time.Duration
	}{
		{"refusal", &refusedErr{7 * time.Second}, backend.Unavailable, "scimbridge stops calling it for 30s", 7 * time.Second},
		{"malformed", malformedErr{}, backend.Failed, "the legacy application's reply could not be read", 0},
		{"unmatched client fault", &clientFault{hrFault{"HR-WHAT", "x"}}, backend.Internal, "the legacy application reported an error", 0},
		{"unmatched server fault", &hrFault{"HR-INTERNAL", "x"}, backend.Failed, "the legacy application failed", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, hr := legacyHR(t, nil)
			hr.fail = func(string) error { return tc.err }
			_, err := b.GetUser(context.Background(), "E1")
			var be *backend.Error
			if !errors.As(err, &be) || be.Kind != tc.kind || be.Message != tc.msg || be.RetryAfter != tc.retry {
				t.Fatalf("err = %#v, want %s %q retry %v", err, tc.kind, tc.msg, tc.retry)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("cause lost: %v", err)
			}
		})
	}
}

// judgingHR records the judgement Backend hands to an Invoker with a breaker.
type judgingHR struct {
	*fakeHR
	judge func(error) (bool, bool)
}

func (j *judgingHR) JudgeFaults(f func(error) (bool, bool)) { j.judge = f }

func TestBreakerJudgement(t *testing.T) {
	src := mustReplace(t, mustReplace(t, string(defaults.LegacyHR),
		`{ detailCode: HR-AUTH, kind: unavailable, message: "LegacyHR refused the bridge's service account" }`,
		`{ detailCode: HR-AUTH, kind: unavailable, message: "LegacyHR refused the bridge's service account", breaker: false }`),
		"faults:\n", "faults:\n  - { detailCode: HR-BUSY, kind: unavailable }\n  - { detailCode: HR-OOPS, kind: internal, breaker: true }\n")
	eng := compileYAML(t, []byte(src))
	inv := &judgingHR{fakeHR: newFakeHR()}
	eng.Backend(inv, nil)
	if inv.judge == nil {
		t.Fatal("Backend did not hand its judgement to an Invoker that takes one")
	}
	for _, tc := range []struct {
		name       string
		err        error
		counts, ok bool
	}{
		{"unmatched server fault", &hrFault{"HR-INTERNAL", "x"}, true, true},
		{"business fault", &hrFault{"HR-DUPLICATE", "x"}, false, true},
		{"not found", &hrFault{"HR-NOT-FOUND", "x"}, false, true},
		{"rule says false", &hrFault{"HR-AUTH", "x"}, false, true},
		{"server fault, unavailable kind", &hrFault{"HR-BUSY", "x"}, true, true},
		{"client fault, rule says true", &clientFault{hrFault{"HR-OOPS", "x"}}, true, true},
		{"unmatched client fault", &clientFault{hrFault{"HR-WHAT", "x"}}, false, true},
		{"no fault", errors.New("dial"), false, false},
	} {
		if c, ok := inv.judge(tc.err); c != tc.counts || ok != tc.ok {
			t.Errorf("%s: judge = %v,%v, want %v,%v", tc.name, c, ok, tc.counts, tc.ok)
		}
	}
}

func TestBreakerSettingChecked(t *testing.T) {
	for _, tc := range []struct{ rule, want string }{
		{`{ detailCode: HR-X, kind: conflict, breaker: true }`, "cannot count towards the breaker"},
		{`{ detailCode: HR-X, kind: internal, breaker: maybe }`, `want true or false, not "maybe"`},
	} {
		src := mustReplace(t, string(defaults.LegacyHR), "faults:\n", "faults:\n  - "+tc.rule+"\n")
		spec, err := Parse("m.yaml", []byte(src))
		if err == nil {
			_, err = Compile(spec, fakeCatalog{}, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.rule, err, tc.want)
		}
	}
}

// xmlFault is an ASMX fault whose meaning is in detail elements of its own names.
type xmlFault struct{ detail string }

func (f *xmlFault) Error() string         { return "soap fault" }
func (f *xmlFault) FaultCode() string     { return "soap:Server" }
func (f *xmlFault) FaultString() string   { return "Server was unable to process request." }
func (f *xmlFault) DetailCode() string    { return "" }
func (f *xmlFault) DetailMessage() string { return "" }
func (f *xmlFault) DetailXML() string     { return f.detail }

func TestFaultDetailByXPath(t *testing.T) {
	src := strings.Replace(asmxMapping, "faults:\n", `faultDetail: { code: "//ErrorInfo/@Number", message: "string(//ErrorInfo/Text)" }
faults:
  - { detailCode: "1001", kind: conflict, exposeDetail: true }
  - { detailPattern: "(?s)<Locked>true</Locked>", kind: policy, message: "the account is locked" }
`, 1)
	b, _ := asmx(t, src)
	detail := func(inner string) string {
		return `<detail xmlns:x="urn:x"><x:Error><ErrorInfo Number="` + inner + `"><Text>Login &amp; name taken</Text></ErrorInfo><Locked>` +
			map[bool]string{true: "true", false: "false"}[inner == "7"] + `</Locked></x:Error></detail>`
	}
	for _, tc := range []struct {
		detail string
		kind   backend.Kind
		msg    string
	}{
		{detail("1001"), backend.Conflict, "Login & name taken"},
		{detail("7"), backend.Policy, "the account is locked"},
		{detail("9"), backend.Failed, "the legacy application failed"},
		{"", backend.Failed, "the legacy application failed"},
	} {
		inv := b.(*engineBackend)
		err := inv.callError(context.Background(), "GetUser", &xmlFault{tc.detail})
		var be *backend.Error
		if !errors.As(err, &be) || be.Kind != tc.kind || be.Message != tc.msg {
			t.Errorf("detail %.40q: %v, want %s %q", tc.detail, err, tc.kind, tc.msg)
		}
	}
	// A bad XPath is a check-time problem.
	spec, _ := Parse("asmx.yaml", []byte(strings.Replace(src, "//ErrorInfo/@Number", "//ErrorInfo[", 1)))
	if _, err := Compile(spec, asmxCatalog{}, Options{}); err == nil || !strings.Contains(err.Error(), "faultDetail.code") {
		t.Errorf("bad faultDetail XPath: %v", err)
	}
}
