package wsdlrt

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/soapclient"
)

var jiraWSDL = filepath.Join("..", "..", "wsdl", "corpus", "jira-soap-v2", "jirasoapservice-v2.wsdl")

// recorder is a SOAP endpoint that keeps each request body and answers with reply(body).
type recorder struct {
	mu   sync.Mutex
	reqs []string
	acts []string
}

func (r *recorder) serve(t *testing.T, reply func(body string) string) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, string(b))
		r.acts = append(r.acts, req.Header.Get("SOAPAction"))
		r.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = io.WriteString(w, reply(string(b)))
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (r *recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[len(r.reqs)-1]
}

// request builds op's request from JSON (the runtime types carry json tags).
func request(t *testing.T, c *soapclient.Client, op, js string) any {
	t.Helper()
	info, ok := c.Lookup(op)
	if !ok {
		t.Fatalf("no operation %s", op)
	}
	v := reflect.New(info.Request).Interface()
	if err := json.Unmarshal([]byte(js), v); err != nil {
		t.Fatalf("request %s: %v", js, err)
	}
	return v
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const axisEnv = `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`

// JIRA's WSDL (Axis 1, rpc/encoded) driven through the runtime client: the request is the
// operation wrapper in the binding's namespace with unqualified, xsi:typed parts and the SOAP
// encoding style; the reply (Axis's multi-ref form, the wrapper in the output namespace, an
// soapenc:Array of users each sent by reference) decodes into the response types.
func TestRPCEncodedJIRA(t *testing.T) {
	if _, err := os.Stat(jiraWSDL); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ts := rec.serve(t, func(body string) string {
		switch {
		case strings.Contains(body, "getGroup"):
			return axisEnv + `<ns1:getGroupResponse soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="https://issues.jenkins-ci.org/rpc/soap/jirasoapservice-v2">` +
				`<getGroupReturn href="#id0"/></ns1:getGroupResponse>` +
				`<multiRef id="id0" soapenc:root="0" soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xsi:type="ns2:RemoteGroup" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns2="http://beans.soap.rpc.jira.atlassian.com">` +
				`<name xsi:type="xsd:string">jira-users</name><users soapenc:arrayType="ns2:RemoteUser[2]" xsi:type="soapenc:Array"><users href="#id1"/><users href="#id2"/></users></multiRef>` +
				`<multiRef id="id2" soapenc:root="0" xsi:type="ns3:RemoteUser" xmlns:ns3="http://beans.soap.rpc.jira.atlassian.com" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><email xsi:type="xsd:string">bob@example.com</email><fullname xsi:type="xsd:string">Bob &amp; Co</fullname><name xsi:type="xsd:string">bob</name></multiRef>` +
				`<multiRef id="id1" soapenc:root="0" xsi:type="ns4:RemoteUser" xmlns:ns4="http://beans.soap.rpc.jira.atlassian.com" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><email xsi:type="xsd:string">ann@example.com</email><fullname xsi:type="xsd:string">Ann</fullname><name xsi:type="xsd:string">ann</name></multiRef>` +
				`</soapenv:Body></soapenv:Envelope>`
		case strings.Contains(body, "login"):
			return axisEnv + `<ns1:loginResponse xmlns:ns1="http://soap.rpc.jira.atlassian.com"><loginReturn xsi:type="xsd:string">tok-123</loginReturn></ns1:loginResponse></soapenv:Body></soapenv:Envelope>`
		default:
			return axisEnv + `<ns1:updateGroupResponse xmlns:ns1="http://soap.rpc.jira.atlassian.com"><updateGroupReturn><name>g</name></updateGroupReturn></ns1:updateGroupResponse></soapenv:Body></soapenv:Envelope>`
		}
	})
	c, _, err := New(context.Background(), Options{WSDL: jiraWSDL, Name: "jira"}, soapclient.Config{Endpoint: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	resp, err := c.Invoke(ctx, "login", request(t, c, "login", `{"in0":"svc","in1":"pa<ss"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, resp); !strings.Contains(got, `"loginReturn":"tok-123"`) {
		t.Errorf("login response = %s", got)
	}
	req := rec.last()
	for _, want := range []string{
		`<rpc:login xmlns:rpc="http://soap.rpc.jira.atlassian.com"`,
		`soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"`,
		`<in0 xsi:type="xsd:string">svc</in0><in1 xsi:type="xsd:string">pa&lt;ss</in1></rpc:login>`,
	} {
		if !strings.Contains(req, want) {
			t.Errorf("login request lacks %s:\n%s", want, req)
		}
	}
	if rec.acts[0] != `""` {
		t.Errorf("SOAPAction = %s", rec.acts[0])
	}

	resp, err = c.Invoke(ctx, "getGroup", request(t, c, "getGroup", `{"in0":"tok-123","in1":"jira-users"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `"getGroupReturn":{"name":"jira-users","users":{"item":[{"email":"ann@example.com","fullname":"Ann","name":"ann"},{"email":"bob@example.com","fullname":"Bob \u0026 Co","name":"bob"}]}}}`
	if got := jsonOf(t, resp); !strings.HasSuffix(got, want) {
		t.Errorf("getGroup decoded\n got %s\nwant %s", got, want)
	}

	// An array both ways: updateGroup sends the group's users as a soapenc:Array.
	_, err = c.Invoke(ctx, "updateGroup", request(t, c, "updateGroup", `{"in0":"tok","in1":{"name":"g","users":{"item":[{"name":"ann"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	req = rec.last()
	// Structs carry their XSD type (RemoteGroup, RemoteUser in JIRA's beans namespace) as
	// xsi:type, and the array names its item type, each prefix declared where it is used.
	if !strings.Contains(req, `<in1 xmlns:ns1="http://beans.soap.rpc.jira.atlassian.com" xsi:type="ns1:RemoteGroup"><name xsi:type="xsd:string">g</name>`+
		`<users xmlns:ns2="http://beans.soap.rpc.jira.atlassian.com" xsi:type="soapenc:Array" soapenc:arrayType="ns2:RemoteUser[1]">`+
		`<item xmlns:ns3="http://beans.soap.rpc.jira.atlassian.com" xsi:type="ns3:RemoteUser"><name xsi:type="xsd:string">ann</name></item></users></in1>`) {
		t.Errorf("updateGroup request:\n%s", req)
	}
}

const rpcLiteralWSDL = `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:dir" targetNamespace="urn:dir">
  <types><xs:schema targetNamespace="urn:dir">
    <xs:complexType name="Person"><xs:sequence><xs:element name="login" type="xs:string"/><xs:element name="active" type="xs:boolean"/></xs:sequence></xs:complexType>
  </xs:schema></types>
  <message name="FindIn"><part name="login" type="xs:string"/><part name="max" type="xs:int"/></message>
  <message name="FindOut"><part name="person" type="tns:Person"/></message>
  <portType name="P"><operation name="Find"><input message="tns:FindIn"/><output message="tns:FindOut"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Find"><soap:operation soapAction="urn:dir#Find"/>
      <input><soap:body use="literal" namespace="urn:dir"/></input><output><soap:body use="literal" namespace="urn:dir"/></output></operation>
  </binding>
  <service name="S"><port name="SP" binding="tns:B"><soap:address location="http://127.0.0.1:1/"/></port></service>
</definitions>`

// rpc/literal: the wrapper in the binding's namespace, unqualified parts without xsi:type, and
// the reply's wrapper read whatever prefix it uses.
func TestRPCLiteral(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dir.wsdl")
	if err := os.WriteFile(path, []byte(rpcLiteralWSDL), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ts := rec.serve(t, func(string) string {
		return `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><d:FindResponse xmlns:d="urn:dir"><person><login>ann</login><active>true</active></person></d:FindResponse></e:Body></e:Envelope>`
	})
	c, _, err := New(context.Background(), Options{WSDL: path}, soapclient.Config{Endpoint: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Invoke(context.Background(), "Find", request(t, c, "Find", `{"login":"ann","max":5}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, resp); !strings.Contains(got, `"login":"ann"`) || !strings.Contains(got, `"active":true`) {
		t.Errorf("response = %s", got)
	}
	req := rec.last()
	if !strings.Contains(req, `<rpc:Find xmlns:rpc="urn:dir"><login>ann</login><max>5</max></rpc:Find>`) || strings.Contains(req, "xsi:type") {
		t.Errorf("request:\n%s", req)
	}
	if rec.acts[0] != `"urn:dir#Find"` {
		t.Errorf("SOAPAction = %s", rec.acts[0])
	}
}

const rpcEncodedSharedWSDL = `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t">
  <types><xs:schema targetNamespace="urn:t">
    <xs:complexType name="A"><xs:sequence><xs:element name="x" type="xs:string"/></xs:sequence></xs:complexType>
    <xs:complexType name="B"><xs:sequence><xs:element name="x" type="xs:string"/></xs:sequence></xs:complexType>
    <xs:complexType name="C"><xs:sequence><xs:element name="y" type="xs:string"/></xs:sequence></xs:complexType>
  </xs:schema></types>
  <message name="In"><part name="a" type="tns:A"/><part name="b" type="tns:B"/><part name="c" type="tns:C"/></message>
  <message name="Out"></message>
  <portType name="P"><operation name="Put"><input message="tns:In"/><output message="tns:Out"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Put"><soap:operation soapAction=""/>
      <input><soap:body use="encoded" namespace="urn:svc" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input>
      <output><soap:body use="encoded" namespace="urn:svc" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output></operation>
  </binding>
  <service name="S"><port name="SP" binding="tns:B"><soap:address location="http://127.0.0.1:1/"/></port></service>
</definitions>`

// Two XSD types built into one Go struct type (identical fields) cannot be told apart when
// sending: such a value goes without xsi:type rather than with a guessed one; a type of its own
// carries its name.
func TestRPCEncodedSharedStructType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.wsdl")
	if err := os.WriteFile(path, []byte(rpcEncodedSharedWSDL), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ts := rec.serve(t, func(string) string {
		return `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><s:PutResponse xmlns:s="urn:svc"/></e:Body></e:Envelope>`
	})
	c, _, err := New(context.Background(), Options{WSDL: path}, soapclient.Config{Endpoint: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Invoke(context.Background(), "Put", request(t, c, "Put", `{"a":{"x":"1"},"b":{"x":"2"},"c":{"y":"3"}}`)); err != nil {
		t.Fatal(err)
	}
	req := rec.last()
	if !strings.Contains(req, `<a><x xsi:type="xsd:string">1</x></a><b><x xsi:type="xsd:string">2</x></b><c xmlns:ns1="urn:t" xsi:type="ns1:C">`) {
		t.Errorf("request:\n%s", req)
	}
}

const rpcLiteralQualifiedWSDL = `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:dir" targetNamespace="urn:dir">
  <types><xs:schema targetNamespace="urn:dir" elementFormDefault="qualified">
    <xs:complexType name="Name"><xs:sequence><xs:element name="given" type="xs:string"/></xs:sequence></xs:complexType>
    <xs:complexType name="Person"><xs:sequence><xs:element name="login" type="xs:string"/><xs:element name="name" type="tns:Name"/></xs:sequence></xs:complexType>
  </xs:schema></types>
  <message name="PutIn"><part name="person" type="tns:Person"/></message>
  <message name="PutOut"><part name="person" type="tns:Person"/></message>
  <portType name="P"><operation name="Put"><input message="tns:PutIn"/><output message="tns:PutOut"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Put"><soap:operation soapAction="urn:dir#Put"/>
      <input><soap:body use="literal" namespace="urn:svc"/></input><output><soap:body use="literal" namespace="urn:svc"/></output></operation>
  </binding>
  <service name="S"><port name="SP" binding="tns:B"><soap:address location="http://127.0.0.1:1/"/></port></service>
</definitions>`

// rpc/literal with a qualified schema: the part is unqualified, the fields inside it are in the
// schema's namespace (they cannot inherit it from the prefixed wrapper), nested ones too; the
// reply is read the same way.
func TestRPCLiteralQualifiedFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.wsdl")
	if err := os.WriteFile(path, []byte(rpcLiteralQualifiedWSDL), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ts := rec.serve(t, func(string) string {
		return `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><s:PutResponse xmlns:s="urn:svc"><person><d:login xmlns:d="urn:dir">ann</d:login><d:name xmlns:d="urn:dir"><d:given>Ann</d:given></d:name></person></s:PutResponse></e:Body></e:Envelope>`
	})
	c, _, err := New(context.Background(), Options{WSDL: path}, soapclient.Config{Endpoint: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Invoke(context.Background(), "Put", request(t, c, "Put", `{"person":{"login":"ann","name":{"given":"Ann"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, resp); !strings.Contains(got, `"login":"ann"`) || !strings.Contains(got, `"given":"Ann"`) {
		t.Errorf("response = %s", got)
	}
	if req := rec.last(); !strings.Contains(req, `<rpc:Put xmlns:rpc="urn:svc"><person><login xmlns="urn:dir">ann</login><name xmlns="urn:dir"><given xmlns="urn:dir">Ann</given></name></person></rpc:Put>`) {
		t.Errorf("request:\n%s", req)
	}
}
