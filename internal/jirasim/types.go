package jirasim

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// rpc/encoded typing (SOAP 1.1 §5), as JIRA's Axis 1 checks it: every parameter that is not
// xsi:nil names its type with xsi:type, a bean (RemoteUser, RemoteGroup) by its QName in the
// beans namespace, and an array of beans by soapenc:arrayType. Prefixes in those values are
// resolved against the declarations in scope, wherever the client put them.

const (
	nsXSI     = "http://www.w3.org/2001/XMLSchema-instance"
	nsXSD     = "http://www.w3.org/2001/XMLSchema"
	nsSOAPEnc = "http://schemas.xmlsoap.org/soap/encoding/"
)

var (
	xsdString  = xml.Name{Space: nsXSD, Local: "string"}
	remoteUser = xml.Name{Space: nsBeans, Local: "RemoteUser"}
	remoteGrp  = xml.Name{Space: nsBeans, Local: "RemoteGroup"}
)

// params is each simulated operation's parameter types, in0 first (wsdl/corpus/jira-soap-v2).
var params = map[string][]xml.Name{
	"login":               {xsdString, xsdString},
	"logout":              {xsdString},
	"getUser":             {xsdString, xsdString},
	"createUser":          {xsdString, xsdString, xsdString, xsdString, xsdString},
	"deleteUser":          {xsdString, xsdString},
	"getGroup":            {xsdString, xsdString},
	"createGroup":         {xsdString, xsdString, remoteUser},
	"updateGroup":         {xsdString, remoteGrp},
	"addUserToGroup":      {xsdString, remoteGrp, remoteUser},
	"removeUserFromGroup": {xsdString, remoteGrp, remoteUser},
	"deleteGroup":         {xsdString, xsdString, xsdString},
}

// beanFields is the type of each field of a bean that the simulator reads.
var beanFields = map[xml.Name]map[string]xml.Name{
	remoteUser: {"name": xsdString, "fullname": xsdString, "email": xsdString},
	remoteGrp:  {"name": xsdString},
}

// declare returns scope extended by the xmlns declarations among attrs.
func declare(scope map[string]string, attrs []xml.Attr) map[string]string {
	var out map[string]string
	for _, a := range attrs {
		if a.Name.Space != "xmlns" {
			continue
		}
		if out == nil {
			out = make(map[string]string, len(scope)+1)
			for k, v := range scope {
				out[k] = v
			}
		}
		out[a.Name.Local] = a.Value
	}
	if out == nil {
		return scope
	}
	return out
}

func attr(e *elem, space, local string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// qname resolves a prefixed value such as "ns1:RemoteUser" in scope.
func qname(v string, scope map[string]string) (xml.Name, bool) {
	prefix, local, ok := strings.Cut(strings.TrimSpace(v), ":")
	if !ok {
		return xml.Name{}, false
	}
	ns, ok := scope[prefix]
	return xml.Name{Space: ns, Local: local}, ok
}

func typeErr(format string, a ...any) *remoteErr {
	return &remoteErr{"org.xml.sax.SAXException", "Bad types: " + fmt.Sprintf(format, a...)}
}

// checkTypes checks op's parameters against params.
func checkTypes(op *elem, scope map[string]string) *remoteErr {
	want, known := params[op.XMLName.Local]
	if !known {
		return nil // call answers unknown operations
	}
	scope = declare(scope, op.Attrs)
	for i, p := range want {
		name := "in" + string(rune('0'+i))
		if c := op.child(name); c != nil {
			if err := checkValue(c, name, p, scope, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkValue(e *elem, path string, want xml.Name, scope map[string]string, depth int) *remoteErr {
	if e.nil() {
		return nil
	}
	if depth > 8 {
		return typeErr("%s is nested too deep", path)
	}
	scope = declare(scope, e.Attrs)
	v, ok := attr(e, nsXSI, "type")
	if !ok {
		return typeErr("%s has no xsi:type (want {%s}%s)", path, want.Space, want.Local)
	}
	got, ok := qname(v, scope)
	if !ok {
		return typeErr("%s: xsi:type %q has no declared prefix", path, v)
	}
	if got != want {
		return typeErr("%s is {%s}%s, want {%s}%s", path, got.Space, got.Local, want.Space, want.Local)
	}
	fields := beanFields[want]
	for i := range e.Kids {
		k := &e.Kids[i]
		if k.XMLName.Local == "users" && want == remoteGrp {
			if err := checkUsers(k, path+".users", scope, depth+1); err != nil {
				return err
			}
			continue
		}
		if ft, ok := fields[k.XMLName.Local]; ok {
			if err := checkValue(k, path+"."+k.XMLName.Local, ft, scope, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkUsers checks RemoteGroup.users, an soapenc:Array of RemoteUser.
func checkUsers(e *elem, path string, scope map[string]string, depth int) *remoteErr {
	if e.nil() {
		return nil
	}
	scope = declare(scope, e.Attrs)
	if v, _ := attr(e, nsXSI, "type"); v == "" {
		return typeErr("%s has no xsi:type (want soapenc:Array)", path)
	} else if got, ok := qname(v, scope); !ok || got != (xml.Name{Space: nsSOAPEnc, Local: "Array"}) {
		return typeErr("%s is %q, want soapenc:Array", path, v)
	}
	at, _ := attr(e, nsSOAPEnc, "arrayType")
	item, n, _ := strings.Cut(at, "[")
	if got, ok := qname(item, scope); !ok || got != remoteUser || !strings.HasSuffix(n, "]") {
		return typeErr("%s: soapenc:arrayType %q, want {%s}RemoteUser[n]", path, at, nsBeans)
	}
	for i := range e.Kids {
		if err := checkValue(&e.Kids[i], path+"[]", remoteUser, scope, depth+1); err != nil {
			return err
		}
	}
	return nil
}
