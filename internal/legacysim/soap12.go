package legacysim

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
)

// The SOAP 1.2 variant of the endpoint (Options.SOAP12).

const envelope12Open = `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
	`<env:Envelope xmlns:env="` + nsSOAP12 + `"><env:Body>`
const envelope12Close = `</env:Body></env:Envelope>`

// soap12Action reads the action parameter of an application/soap+xml content type, the SOAP 1.2
// HTTP binding's replacement for the SOAPAction header.
func soap12Action(r *http.Request) (string, bool) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/soap+xml" {
		return "", false
	}
	a, ok := params["action"]
	return a, ok
}

// writeFault12 sends f as a SOAP 1.2 fault: Code/Value env:Sender (HTTP 400) for what the caller
// can fix, env:Receiver (HTTP 500) otherwise, the HR code again as a Subcode, the message as an
// English Reason, and the same HRFault detail as the 1.1 endpoint.
func writeFault12(w http.ResponseWriter, f *Fault) {
	code, status := "env:Sender", http.StatusBadRequest
	switch {
	case strings.HasSuffix(f.SOAPCode, "VersionMismatch"):
		code = "env:VersionMismatch"
	case f.Code == CodeInternal || strings.HasSuffix(f.SOAPCode, "Server"):
		code, status = "env:Receiver", http.StatusInternalServerError
	}
	var b bytes.Buffer
	b.WriteString(envelope12Open)
	b.WriteString(`<env:Fault><env:Code><env:Value>` + code + `</env:Value><env:Subcode><env:Value xmlns:hr="` + Namespace + `">hr:` +
		escape(f.Code) + `</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">`)
	b.WriteString(escape(f.Code + ": " + f.Message))
	b.WriteString(`</env:Text></env:Reason><env:Detail>` + hrDetail(f) + `</env:Detail></env:Fault>`)
	b.WriteString(envelope12Close)
	writeXML12(w, status, b.Bytes())
}

func writeXML12(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
