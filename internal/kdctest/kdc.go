package kdctest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Realm is the test realm; every principal the KDC issues is in it.
const Realm = "SCIMBRIDGE.TEST"

// KDC is one running krb5kdc owned by a test.
type KDC struct {
	dir  string
	port int
	env  []string
	// Krb5Conf is the path of a client krb5.conf naming this KDC (TCP only, so that one loopback
	// port suffices and no UDP truncation can bite).
	Krb5Conf string
	admin    string // kadmin.local
}

// tools are the MIT programs the harness runs, found on PATH or in /usr/sbin.
var tools = []string{"krb5kdc", "kdb5_util", "kadmin.local"}

func lookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s is not installed (apt-get install krb5-kdc krb5-admin-server)", name)
}

// unavailable skips the test loudly, or fails it under CI, where the KDC must be there.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("kdctest: %v — CI=true, so this is a failure (.ci/run installs krb5-kdc and krb5-admin-server)", err)
	}
	t.Skipf("kdctest: SKIPPED, needs a real MIT Kerberos KDC: %v", err)
}

// freePort asks the kernel for a loopback TCP port that is free now, and checks that the UDP
// port of the same number is free too (krb5kdc opens both).
func freePort() (int, error) {
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		pc.Close()
		return port, nil
	}
	return 0, errors.New("no free loopback port for both TCP and UDP")
}

// Start creates a realm database in a temporary directory, starts krb5kdc on a free loopback
// port and stops it when t ends.
func Start(t testing.TB) *KDC {
	t.Helper()
	paths := map[string]string{}
	for _, name := range tools {
		p, err := lookTool(name)
		if err != nil {
			unavailable(t, err)
		}
		paths[name] = p
	}
	dir := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatalf("kdctest: %v", err)
	}
	k := &KDC{dir: dir, port: port, Krb5Conf: filepath.Join(dir, "krb5.conf")}
	kdcConf := fmt.Sprintf(`[kdcdefaults]
    kdc_listen = 127.0.0.1:%[1]d
    kdc_tcp_listen = 127.0.0.1:%[1]d
[realms]
    %[2]s = {
        database_name = %[3]s/principal
        key_stash_file = %[3]s/stash
        acl_file = %[3]s/kadm5.acl
        max_life = 10h
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }
[logging]
    kdc = FILE:%[3]s/kdc.log
    admin_server = FILE:%[3]s/kadmin.log
    default = FILE:%[3]s/krb5.log
`, port, Realm, dir)
	clientConf := fmt.Sprintf(`[libdefaults]
    default_realm = %[2]s
    dns_lookup_kdc = false
    dns_lookup_realm = false
    udp_preference_limit = 1
    default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
    default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
    permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
[realms]
    %[2]s = {
        kdc = 127.0.0.1:%[1]d
    }
[domain_realm]
    127.0.0.1 = %[2]s
`, port, Realm)
	for name, body := range map[string]string{"kdc.conf": kdcConf, "krb5.conf": clientConf, "kadm5.acl": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	k.env = append(os.Environ(), "KRB5_KDC_PROFILE="+filepath.Join(dir, "kdc.conf"), "KRB5_CONFIG="+k.Krb5Conf)
	// The master password protects the database file only; the database lives and dies with the test.
	k.run(t, paths["kdb5_util"], "-r", Realm, "-P", "kdctest-master", "create", "-s")

	cmd := exec.Command(paths["krb5kdc"], "-n", "-r", Realm)
	cmd.Env = k.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("kdctest: start krb5kdc: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			logs, _ := os.ReadFile(filepath.Join(dir, "kdc.log"))
			t.Logf("krb5kdc output:\n%s\nkdc.log:\n%s", out.String(), logs)
		}
	})
	// Ready when the TCP port accepts (bounded: a KDC starts in well under a second).
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", k.Addr(), time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			t.Fatalf("kdctest: krb5kdc exited at start:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("kdctest: krb5kdc not listening on %s after 15s:\n%s", k.Addr(), out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	k.admin = paths["kadmin.local"]
	return k
}

// Addr is the KDC's host:port (TCP and UDP).
func (k *KDC) Addr() string { return "127.0.0.1:" + strconv.Itoa(k.port) }

func (k *KDC) run(t testing.TB, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = k.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kdctest: %s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

// kadmin runs one kadmin.local query against the realm database.
func (k *KDC) kadmin(t testing.TB, query string) {
	t.Helper()
	k.run(t, k.admin, "-r", Realm, "-q", query)
}

// AddUser creates a user principal with a password that requires pre-authentication, as
// Active Directory and hardened MIT realms do.
func (k *KDC) AddUser(t testing.TB, name, password string) {
	t.Helper()
	k.kadmin(t, fmt.Sprintf("addprinc +requires_preauth -pw %s %s", password, name))
}

// AddService creates a service principal (e.g. "HTTP/127.0.0.1") with a random key and returns
// the path of a keytab holding that key, as a service's administrator would export it.
func (k *KDC) AddService(t testing.TB, principal string) string {
	t.Helper()
	k.kadmin(t, "addprinc -randkey "+principal)
	return k.Keytab(t, principal)
}

// Keytab exports principal's current keys into a new keytab file and returns its path. For a
// user principal this changes its keys (ktadd randomises them), as on a real KDC: the password
// no longer works afterwards.
func (k *KDC) Keytab(t testing.TB, principal string) string {
	t.Helper()
	path := filepath.Join(k.dir, strings.NewReplacer("/", "_", "@", "_").Replace(principal)+".keytab")
	k.kadmin(t, fmt.Sprintf("ktadd -k %s %s", path, principal))
	return path
}
