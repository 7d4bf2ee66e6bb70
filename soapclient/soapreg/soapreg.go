package soapreg

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/hooklift/gowsdl/soap"
)

// OperationInfo describes one operation of a generated client.
type OperationInfo struct {
	// Name is the WSDL operation name (e.g. "addUser"), the key the mapping uses.
	Name string
	// Request and Response are the generated element structs (not pointers): a call takes a
	// pointer to Request and returns a pointer to Response. A void operation's Response is Void,
	// and so is the Request of an operation whose input message has no part.
	Request, Response reflect.Type
	// SOAPAction is what the WSDL's SOAP 1.1 binding declares for the operation ("" if none).
	SOAPAction string
	// DecodesBody says that a call decodes the reply's Body child into a new Response with
	// encoding/xml, as gowsdl's generated document/literal methods do; the SOAP client may then
	// decode the reply itself (soapclient's fast decoder) and hand back what it built. False for
	// anything else (rpc wrappers, void operations), which always take gowsdl's decode.
	DecodesBody bool
}

// Void is the response of an operation that has none, and the request of one that takes none.
type Void struct{}

// ErrRequestType is returned by Operation.Call for a request that is not a non-nil pointer to
// the operation's request struct.
var ErrRequestType = errors.New("wrong request type")

// Operation is one registry entry: its description and how to call it.
type Operation struct {
	OperationInfo
	call func(ctx context.Context, c *soap.Client, req any) (any, error)
}

// Call sends req (a pointer to the Request struct) through c and returns a pointer to the
// Response struct.
func (o Operation) Call(ctx context.Context, c *soap.Client, req any) (any, error) {
	if o.call == nil {
		return nil, fmt.Errorf("operation %q has no call function", o.Name)
	}
	return o.call(ctx, c, req)
}

func checked[Req any](name string, req any) (*Req, error) {
	r, ok := req.(*Req)
	if !ok || r == nil {
		return nil, fmt.Errorf("%w: %s takes a non-nil *%v, got %T", ErrRequestType, name, reflect.TypeFor[Req](), req)
	}
	return r, nil
}

// Op is a registry entry for an operation with a request and a response.
func Op[Req, Resp any](name, action string, f func(ctx context.Context, c *soap.Client, req *Req) (*Resp, error)) Operation {
	return Operation{
		OperationInfo: OperationInfo{Name: name, Request: reflect.TypeFor[Req](), Response: reflect.TypeFor[Resp](), SOAPAction: action, DecodesBody: true},
		call: func(ctx context.Context, c *soap.Client, req any) (any, error) {
			r, err := checked[Req](name, req)
			if err != nil {
				return nil, err
			}
			resp, err := f(ctx, c, r)
			if err != nil {
				return nil, err
			}
			if resp == nil { // gowsdl always allocates one; keep the promise of a non-nil pointer
				resp = new(Resp)
			}
			return resp, nil
		},
	}
}

// VoidOp is a registry entry for an operation without a response; calls return a *Void.
func VoidOp[Req any](name, action string, f func(ctx context.Context, c *soap.Client, req *Req) error) Operation {
	o := Op(name, action, func(ctx context.Context, c *soap.Client, req *Req) (*Void, error) {
		if err := f(ctx, c, req); err != nil {
			return nil, err
		}
		return &Void{}, nil
	})
	o.DecodesBody = false // f decodes into a type the registry does not know
	return o
}

// Client is the registry of one generated package.
type Client struct {
	Package string // Go package name, also the client's name in soapclient.Clients
	WSDL    string // the WSDL it was generated from, as named on the go:generate line
	Binding string // the SOAP 1.1 binding it was generated from
	// Operations are in the binding's order.
	Operations []Operation
}

// Dynamic is a registry entry whose types were built at run time (the runtime WSDL client):
// info.Request and info.Response are struct types, and call gets a non-nil pointer to a value
// of info.Request and returns a pointer to a value of info.Response.
func Dynamic(info OperationInfo, call func(ctx context.Context, c *soap.Client, req any) (any, error)) Operation {
	want := reflect.PointerTo(info.Request)
	return Operation{
		OperationInfo: info,
		call: func(ctx context.Context, c *soap.Client, req any) (any, error) {
			rv := reflect.ValueOf(req)
			if !rv.IsValid() || rv.Type() != want || rv.IsNil() {
				return nil, fmt.Errorf("%w: %s takes a non-nil %v, got %T", ErrRequestType, info.Name, want, req)
			}
			return call(ctx, c, req)
		},
	}
}
