// Package bench measures what the bridge costs on top of the legacy application: each benchmark
// runs the same operation through the whole bridge (SCIM over HTTP → adapter → mapping engine →
// guarded SOAP client) and as the direct SOAP call the bridge makes, against the bundled LegacyHR
// simulator on loopback, in the same run, and reports the ratio. Ratios, not absolute times, are
// what stays comparable across machines.
//
//	go test -run '^$' -bench . -benchmem ./bench/
package bench
