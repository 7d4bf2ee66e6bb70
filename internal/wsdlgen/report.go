package wsdlgen

import (
	"fmt"
	"strings"
)

// Change kinds, for tests and for readers of the report.
const (
	KindImport     = "import"      // a wsdl:import, xs:import or xs:include was inlined
	KindBinding    = "binding"     // a binding, portType or service port was dropped
	KindRemoveType = "remove-type" // a duplicate type was removed
	KindRenameType = "rename-type" // a duplicate type was renamed
	KindPointer    = "pointer"     // an element was made nillable so gowsdl generates a pointer
	KindBuiltin    = "builtin"     // an XSD built-in type gowsdl does not know was mapped to one it knows
	KindNamespace  = "namespace"   // struct fields were qualified with their element's namespace
	KindVoid       = "void"        // a void call was fixed to pass a pointer
	KindSOAPAction = "soapaction"  // the SOAPAction compiled into an operation was set
)

// Change is one repair the pipeline applied.
type Change struct {
	Kind    string
	Message string
}

func (c Change) String() string { return c.Kind + ": " + c.Message }

// Operation is one operation of the generated client, as the registry lists it.
type Operation struct {
	Name       string // the WSDL operation name, which is also the registry key
	Method     string // the generated Go method, without the Context suffix
	Request    string // Go type name, "" when the input message has no part
	Response   string // Go type name, "" for a void operation
	SOAPAction string
}

// Report is what one run did: the binding it chose, the operations, every repair and every
// warning, in the order they were made. Main prints it; tests compare it.
type Report struct {
	WSDL       string // the WSDL file as given
	Package    string
	Binding    string // the SOAP 1.1 binding the client was generated from
	PortType   string
	Operations []Operation
	Changes    []Change
	Warnings   []string
}

func (r *Report) change(kind, format string, args ...any) {
	r.Changes = append(r.Changes, Change{Kind: kind, Message: fmt.Sprintf(format, args...)})
}

func (r *Report) warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// ChangesOf returns the messages of the changes of one kind, for tests.
func (r *Report) ChangesOf(kind string) []string {
	var out []string
	for _, c := range r.Changes {
		if c.Kind == kind {
			out = append(out, c.Message)
		}
	}
	return out
}

// String renders the report as the gen command prints it.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: package %s from binding %s (portType %s), %d operations\n", r.WSDL, r.Package, r.Binding, r.PortType, len(r.Operations))
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "  repaired %s\n", c)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "  warning: %s\n", w)
	}
	return b.String()
}

// RefusedError is a WSDL the pipeline will not generate from, with the reason and the way
// forward. Main exits with status 2 for it.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }

func refuse(format string, args ...any) error {
	return &RefusedError{Msg: fmt.Sprintf(format, args...)}
}
