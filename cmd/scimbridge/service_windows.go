//go:build windows

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
	"gopkg.in/natefinch/lumberjack.v2"
)

func programData() string {
	if d := os.Getenv("ProgramData"); d != "" {
		return d
	}
	return `C:\ProgramData`
}

func (o serviceOptions) logPath() string {
	if o.logFile != "" {
		return o.logFile
	}
	return filepath.Join(programData(), "scimbridge", "logs", o.name+".log")
}

func serviceMain(ctx context.Context, o serviceOptions, stdout, stderr io.Writer) int {
	var err error
	switch o.action {
	case "install":
		err = installService(o, stdout, stderr)
	case "uninstall":
		err = uninstallService(o, stdout)
	case "start":
		err = startService(o, stdout)
	case "stop":
		err = stopService(o, stdout)
	case "run":
		return runService(o, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge service %s: %v\n", o.action, err)
		return 1
	}
	return 0
}

func installService(o serviceOptions, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if exe, err = filepath.Abs(exe); err != nil {
		return err
	}
	cfgPath, err := filepath.Abs(o.config)
	if err != nil {
		return err
	}
	// The same validation as `scimbridge check`: a service that cannot start is not installed.
	if code := cmdCheck([]string{"--config", cfgPath}, io.Discard, stderr); code != 0 {
		return fmt.Errorf("%s does not validate (see above); nothing installed", cfgPath)
	}
	account := o.account
	if account == "" {
		// A virtual account: no password, no rights beyond what is granted to it explicitly.
		account = `NT SERVICE\` + o.name
	}
	logPath := o.logPath()
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connecting to the service manager (run as Administrator): %w", err)
	}
	defer m.Disconnect()
	if s, err := m.OpenService(o.name); err == nil {
		s.Close()
		return fmt.Errorf("service %s is already installed (uninstall it first)", o.name)
	}
	s, err := m.CreateService(o.name, exe, mgr.Config{
		DisplayName:      "scimbridge (" + o.name + ")",
		Description:      "SCIM server for the Okta Provisioning Agent in front of a legacy application",
		StartType:        mgr.StartAutomatic,
		DelayedAutoStart: true,
		ServiceStartName: account,
	}, "service", "run", "--name", o.name, "--config", cfgPath, "--log-file", logPath)
	if err != nil {
		return fmt.Errorf("creating the service: %w", err)
	}
	defer s.Close()
	undo := func(err error) error {
		s.Delete()
		return err
	}
	// Restart after a crash or a failed start, backing off; the count resets after a day.
	if err := s.SetRecoveryActions([]mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 2 * time.Minute},
	}, 24*60*60); err != nil {
		return undo(fmt.Errorf("setting the recovery actions: %w", err))
	}
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return undo(fmt.Errorf("setting the recovery actions: %w", err))
	}
	if err := eventlog.InstallAsEventCreate(o.name, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil {
		return undo(fmt.Errorf("registering the event log source %s: %w", o.name, err))
	}
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return undo(err)
	}
	// The virtual account needs to write its logs; the grant is inherited by rotated files.
	if out, err := exec.Command("icacls", filepath.Dir(logPath), "/grant", account+":(OI)(CI)M").CombinedOutput(); err != nil {
		fmt.Fprintf(stderr, "warning: granting %s write access to %s failed: %v\n%s", account, filepath.Dir(logPath), err, out)
	}
	fmt.Fprintf(stdout, `scimbridge service install: %s installed (automatic start, restart on failure)
  runs     %s serve --config %s
  as       %s
  log      %s (rotated) and the Application event log, source %s

Before starting it, give %s read access to the configuration, mapping, certificate and secrets, and
write access to the state directory, e.g.:
  icacls "%s" /grant "%s:(OI)(CI)RX"
  icacls "<state directory>" /grant "%s:(OI)(CI)M"
Then:  scimbridge service start --name %s
`, o.name, exe, cfgPath, account, logPath, o.name, account, filepath.Dir(cfgPath), account, account, o.name)
	return nil
}

func openService(name string) (*mgr.Mgr, *mgr.Service, error) {
	m, err := mgr.Connect()
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to the service manager (run as Administrator): %w", err)
	}
	s, err := m.OpenService(name)
	if err != nil {
		m.Disconnect()
		return nil, nil, fmt.Errorf("service %s: %w", name, err)
	}
	return m, s, nil
}

// waitState polls the service until it reaches want or the timeout passes.
func waitState(s *mgr.Service, want svc.State, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		st, err := s.Query()
		if err != nil {
			return err
		}
		if st.State == want {
			return nil
		}
		if want == svc.Running && st.State == svc.Stopped {
			return errors.New("it stopped during start-up: see the event log (Application) and the log file")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still in state %d after %s", st.State, timeout)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func startService(o serviceOptions, stdout io.Writer) error {
	m, s, err := openService(o.name)
	if err != nil {
		return err
	}
	defer m.Disconnect()
	defer s.Close()
	if err := s.Start(); err != nil {
		return err
	}
	if err := waitState(s, svc.Running, 60*time.Second); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scimbridge service: %s is running\n", o.name)
	return nil
}

// stopTimeout is above the bridge's drain (25 s by default) plus its drain delay.
const stopTimeout = 90 * time.Second

func stopService(o serviceOptions, stdout io.Writer) error {
	m, s, err := openService(o.name)
	if err != nil {
		return err
	}
	defer m.Disconnect()
	defer s.Close()
	if _, err := s.Control(svc.Stop); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scimbridge service: stopping %s (in-flight requests finish first)\n", o.name)
	if err := waitState(s, svc.Stopped, stopTimeout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scimbridge service: %s stopped\n", o.name)
	return nil
}

func uninstallService(o serviceOptions, stdout io.Writer) error {
	m, s, err := openService(o.name)
	if err != nil {
		return err
	}
	defer m.Disconnect()
	defer s.Close()
	if st, err := s.Query(); err == nil && st.State != svc.Stopped {
		if _, err := s.Control(svc.Stop); err == nil {
			_ = waitState(s, svc.Stopped, stopTimeout)
		}
	}
	if err := s.Delete(); err != nil {
		return err
	}
	if err := eventlog.Remove(o.name); err != nil {
		fmt.Fprintf(stdout, "scimbridge service: the event log source %s was not removed: %v\n", o.name, err)
	}
	fmt.Fprintf(stdout, "scimbridge service: %s removed (its log files and configuration are left in place)\n", o.name)
	return nil
}

// serviceLog writes the bridge's output to the rotating file and the important lines to the
// event log (classifyServiceLine).
type serviceLog struct {
	mu   sync.Mutex
	file io.Writer
	elog *eventlog.Log // nil when the source is not registered
}

func (l *serviceLog) event(level int, msg string) {
	if l.elog == nil {
		return
	}
	switch level {
	case eventInfo:
		l.elog.Info(1, msg)
	case eventWarning:
		l.elog.Warning(2, msg)
	case eventError:
		l.elog.Error(3, msg)
	}
}

func (l *serviceLog) writer(fromStderr bool) io.Writer {
	return &lineSplitter{emit: func(line string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		fmt.Fprintln(l.file, line)
		l.event(classifyServiceLine(line, fromStderr), line)
	}}
}

type serviceHandler struct {
	o   serviceOptions
	log *serviceLog
}

func runService(o serviceOptions, stderr io.Writer) int {
	isService, err := svc.IsWindowsService()
	if err != nil || !isService {
		fmt.Fprintln(stderr, "scimbridge service run: only the Windows service manager starts this; in a console use: scimbridge serve --config FILE")
		return 2
	}
	lj := &lumberjack.Logger{Filename: o.logPath(), MaxSize: 50, MaxBackups: 10, MaxAge: 90}
	defer lj.Close()
	l := &serviceLog{file: lj}
	if el, err := eventlog.Open(o.name); err == nil {
		l.elog = el
		defer el.Close()
	}
	if err := svc.Run(o.name, &serviceHandler{o: o, log: l}); err != nil {
		l.event(eventError, "scimbridge service failed: "+err.Error())
		return 1
	}
	return 0
}

// Execute runs the bridge until the service manager stops it. Stop and shutdown cancel serve's
// context, which runs the same graceful drain as SIGTERM (readiness 503, listeners closed,
// in-flight requests finished); the parameter-change control reloads the configuration, as
// SIGHUP does.
func (h *serviceHandler) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	const accepts = svc.AcceptStop | svc.AcceptShutdown | svc.AcceptParamChange
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cmdServe(ctx, []string{"--config", h.o.config}, h.log.writer(false), h.log.writer(true))
	}()
	status <- svc.Status{State: svc.Running, Accepts: accepts}
	h.log.event(eventInfo, fmt.Sprintf("scimbridge %s started (configuration %s)", buildVersion(), h.o.config))
	for {
		select {
		case code := <-done:
			// serve ended on its own: the configuration was refused or a listener failed (the
			// reason is already in the event log). A non-zero service-specific code makes the
			// service manager apply the recovery actions.
			if code != 0 {
				return true, uint32(code)
			}
			return false, 0
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.ParamChange:
				if err := serviceReload(); err != nil {
					h.log.event(eventWarning, "configuration reload not done: "+err.Error())
				} else {
					h.log.event(eventInfo, "configuration reload requested (the result is in the log)")
				}
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				h.log.event(eventInfo, "stopping: draining in-flight requests")
				cancel()
				checkpoint := uint32(1)
				tick := time.NewTicker(2 * time.Second)
				defer tick.Stop()
				for {
					// Keep telling the service manager that the stop progresses, so it waits for
					// the drain instead of declaring the service hung.
					status <- svc.Status{State: svc.StopPending, CheckPoint: checkpoint, WaitHint: 10000}
					select {
					case <-done:
						h.log.event(eventInfo, "stopped")
						return false, 0
					case <-tick.C:
						checkpoint++
					}
				}
			}
		}
	}
}
