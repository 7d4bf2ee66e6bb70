// Package jsontest holds the awkward users and groups both SCIM codecs' golden tests encode with
// their hand-written encoders and with the reflection-based reference, byte for byte: every
// escaping rule of encoding/json, unicode, nulls, empty and absent lists, extension values of
// every type. Only tests import it.
package jsontest
