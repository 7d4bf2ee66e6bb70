// Package guard is the resilience chain every backend client puts around its calls (SOAP and
// REST alike): metrics, separate read and write concurrency limits, a local circuit breaker, a
// per-operation deadline and budgeted, jittered retries of reads. Writes are never retried.
//
// The guards know nothing of a wire format: a client passes Hooks that classify its own errors
// (Classify) and may say which operations are reads (IsRead); an error carrying an HTTP status
// implements StatusError so that Retry-After and 5xx are honoured the same way for every client.
// Refusals (breaker open, limit full) come back as *RefusedError with their wait, wrapping
// ErrBreakerOpen or ErrLimitReached. The guards import no bridge package: the mapping engine
// reads their errors through methods (Refused, RetryAfter, ClientMessage) and hands them its
// judgement of which faults count towards the breaker (JudgeFaults).
package guard
