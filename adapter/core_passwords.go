package adapter

import (
	"context"
	"log/slog"

	"github.com/scimbridge/scimbridge/backend"
)

// syncPassword applies the passwordSync policy to a password a PUT carries
// (docs/okta-agent-protocol.md#agent-password-on-every-put): the agent re-sends the password on
// every PUT, so with "changed" only a password the ledger does not know reaches the application.
func (s *server) syncPassword(ctx context.Context, id, pw string) error {
	ri := infoFrom(ctx)
	matches, known, err := s.ledger.Remembered(ctx, id, pw)
	noEntry := !known
	if err != nil {
		// Without the ledger we cannot tell a repeat from a change; guessing either way is worse
		// than a retryable failure.
		return failed(op{resource: "user", id: id}, backend.Wrap(backend.Unavailable, err, "the bridge's state store (password history) could not be read; nothing was changed"))
	}
	if s.cfg.PasswordSync == "changed" && matches {
		ri.add(slog.String("password", "unchanged"))
		return nil
	}
	err = s.b.SetPassword(ctx, id, pw)
	switch {
	case err == nil:
		ri.add(slog.String("password", "set"))
	case backend.KindOf(err) == backend.Policy && noEntry:
		// We never set this user's password (e.g. linked by import), so most likely the agent is
		// re-sending the current one and the app refuses the "reuse". Accept it as current.
		s.log.Warn("password refused by the backend policy for a user whose password the bridge never set; assuming the agent re-sent the current password",
			"request_id", ri.id, "user_id", id, "error", err.Error())
		ri.add(slog.String("password", "refused-assumed-current"))
	default:
		return failed(op{resource: "user", id: id}, err)
	}
	record := s.ledger.Record
	if nr, ok := s.ledger.(NewPasswordRecorder); ok && !matches {
		record = nr.RecordNew
	}
	if err := record(ctx, id, pw); err != nil {
		s.log.Warn("could not record the password in the ledger; the next PUT will set it again",
			"request_id", ri.id, "user_id", id, "error", err.Error())
	}
	return nil
}
