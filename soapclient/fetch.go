package soapclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Fetch GETs url through the backend's own transport (its TLS, proxy, HTTP Basic credentials
// and static headers), for documents the application serves about itself, such as its ?wsdl.
// Only a 200 answer counts; the body is capped like a SOAP reply.
func (t *Transport) Fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", t.userAgent)
	if t.basic != nil {
		req.SetBasicAuth(t.basic.Username, t.basic.Password)
	}
	for k, v := range t.headers {
		req.Header[k] = append([]string(nil), v...)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.maxBody+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if int64(len(body)) > t.maxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, t.maxBody)
	}
	return body, nil
}
