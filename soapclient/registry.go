package soapclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// OperationInfo describes one operation of a generated port.
type OperationInfo struct {
	Name string
	// Request and Response are the generated element structs (not pointers): Invoke takes a
	// pointer to Request and returns a pointer to Response.
	Request, Response reflect.Type
	// SOAPAction is the action the WSDL's SOAP 1.1 binding declares, sent on every call unless the
	// context overrides it (WithSOAPAction).
	SOAPAction string
}

type operation struct {
	info   OperationInfo
	method int // index in the port's method set
}

// registry is the catalog of one generated port, built by reflection so that it works for any
// gowsdl output without code per operation.
type registry struct {
	portType reflect.Type
	ops      map[string]operation
	names    []string // sorted
}

var (
	ctxType = reflect.TypeFor[context.Context]()
	errType = reflect.TypeFor[error]()
)

// newRegistry lists every method of port shaped like gowsdl's
// `XxxContext(ctx context.Context, req *Req) (*Resp, error)` (Req and Resp structs) as operation
// "Xxx". actions maps operation names to SOAPActions; nil leaves SOAPAction empty, so the call
// sends whatever the generated code passes.
func newRegistry(port any, actions map[string]string) (*registry, error) {
	t := reflect.TypeOf(port)
	if t == nil {
		return nil, fmt.Errorf("soapclient: the client factory returned nil")
	}
	r := &registry{portType: t, ops: map[string]operation{}}
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		name, ok := strings.CutSuffix(m.Name, "Context")
		if !ok || name == "" {
			continue
		}
		req, resp, ok := operationTypes(m.Type)
		if !ok {
			continue
		}
		r.ops[name] = operation{
			info:   OperationInfo{Name: name, Request: req, Response: resp, SOAPAction: actions[name]},
			method: i,
		}
		r.names = append(r.names, name)
	}
	if len(r.ops) == 0 {
		return nil, fmt.Errorf("soapclient: %v has no method of the form XxxContext(context.Context, *Req) (*Resp, error); is it a gowsdl port?", t)
	}
	slices.Sort(r.names)
	if actions != nil {
		for _, name := range r.names {
			if _, ok := actions[name]; !ok {
				return nil, fmt.Errorf("soapclient: operation %s of %v is not in the WSDL binding; regenerate the client (go generate ./wsdl/)", name, t)
			}
		}
	}
	return r, nil
}

// operationTypes checks a method type (receiver first) against gowsdl's operation signature.
func operationTypes(mt reflect.Type) (req, resp reflect.Type, ok bool) {
	if mt.NumIn() != 3 || mt.NumOut() != 2 || mt.IsVariadic() {
		return nil, nil, false
	}
	if mt.In(1) != ctxType || mt.Out(1) != errType {
		return nil, nil, false
	}
	in, out := mt.In(2), mt.Out(0)
	if in.Kind() != reflect.Pointer || in.Elem().Kind() != reflect.Struct ||
		out.Kind() != reflect.Pointer || out.Elem().Kind() != reflect.Struct {
		return nil, nil, false
	}
	return in.Elem(), out.Elem(), true
}

// wsdlDefinitions is the part of a WSDL 1.1 document that carries SOAPActions.
type wsdlDefinitions struct {
	Bindings []struct {
		Name   string     `xml:"name,attr"`
		Type   string     `xml:"type,attr"`
		SOAP11 []struct{} `xml:"http://schemas.xmlsoap.org/wsdl/soap/ binding"`
		Ops    []struct {
			Name   string `xml:"name,attr"`
			SOAP11 []struct {
				Action string `xml:"soapAction,attr"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/soap/ operation"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ operation"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/ binding"`
}

// soapActions reads operation → soapAction from the SOAP 1.1 binding of portType (matched by the
// binding's type attribute, ignoring prefix and case, since gowsdl names the port struct after the
// portType with a lower-case first letter). When no binding names that portType but the WSDL has
// exactly one SOAP 1.1 binding, that one is used.
//
// Reading the WSDL instead of the generated code is deliberate: gowsdl takes the action from the
// first binding, whatever its SOAP version, and renders an empty one as two apostrophes, so for WSDLs that
// list their SOAP 1.2 binding first (Axis2, WSO2) the generated code has no usable action at all.
func soapActions(wsdlDoc []byte, portType string) (map[string]string, error) {
	var defs wsdlDefinitions
	d := xml.NewDecoder(bytes.NewReader(wsdlDoc))
	if err := d.Decode(&defs); err != nil {
		return nil, fmt.Errorf("soapclient: parsing WSDL: %w", err)
	}
	var matched, soap11 []int
	for i, b := range defs.Bindings {
		if len(b.SOAP11) == 0 {
			continue
		}
		soap11 = append(soap11, i)
		typ := b.Type
		if _, local, ok := strings.Cut(typ, ":"); ok {
			typ = local
		}
		if strings.EqualFold(typ, portType) {
			matched = append(matched, i)
		}
	}
	if len(matched) == 0 && len(soap11) == 1 {
		matched = soap11
	}
	if len(matched) != 1 {
		return nil, fmt.Errorf("soapclient: WSDL has %d SOAP 1.1 bindings for portType %q, want exactly one", len(matched), portType)
	}
	actions := map[string]string{}
	for _, op := range defs.Bindings[matched[0]].Ops {
		a := ""
		if len(op.SOAP11) > 0 {
			a = op.SOAP11[0].Action
		}
		actions[op.Name] = a
	}
	return actions, nil
}

// portTypeName guesses the WSDL portType from the generated port's concrete type: gowsdl names it
// after the portType with a lower-case first letter (DirectoryPort → *directoryPort).
func portTypeName(port any) string {
	t := reflect.TypeOf(port)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	return t.Name()
}
