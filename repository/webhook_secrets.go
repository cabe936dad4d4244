package repository

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
)

// sealSecretsVersion is the Go migration that seals the webhook secrets
// stored in clear before secrets were sealed (it needs the key, so it
// cannot be SQL); 16 adds the columns, 18 drops the clear one.
const sealSecretsVersion = 17

// goMigrations are the migrations written in Go, for both dialects.
func (db *DB) goMigrations() []*goose.Migration {
	return []*goose.Migration{
		goose.NewGoMigration(sealSecretsVersion,
			&goose.GoFunc{RunTx: db.sealClearSecrets}, &goose.GoFunc{RunTx: db.unsealSecrets}),
	}
}

// bind rewrites ? placeholders as $1, $2... on PostgreSQL.
func (db *DB) bind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sealClearSecrets seals every webhook secret stored in clear, with its
// hint, and blanks the clear column.
func (db *DB) sealClearSecrets(ctx context.Context, tx *sql.Tx) error {
	type clear struct{ id, secret string }
	rows, err := tx.QueryContext(ctx, "SELECT id, secret FROM webhooks WHERE secret <> ''")
	if err != nil {
		return err
	}
	var todo []clear
	for rows.Next() {
		var c clear
		if err := rows.Scan(&c.id, &c.secret); err != nil {
			_ = rows.Close() //nolint:sqlclosecheck // closed before the updates that follow on the same transaction
			return err
		}
		todo = append(todo, c)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, c := range todo {
		sealed, err := db.secrets.Seal(c.secret, c.id)
		if err != nil {
			return fmt.Errorf("seal webhook secrets: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.bind("UPDATE webhooks SET sealed_secret = ?, secret_hint = ?, secret = '' WHERE id = ?"),
			sealed, webhook.MaskSecret(c.secret), c.id); err != nil {
			return err
		}
	}
	return nil
}

// unsealSecrets undoes sealClearSecrets (migrating down).
func (db *DB) unsealSecrets(ctx context.Context, tx *sql.Tx) error {
	sealed, err := scanSealed(ctx, tx)
	if err != nil {
		return err
	}
	for id, s := range sealed {
		plain, err := db.secrets.Open(s, id)
		if err != nil {
			return fmt.Errorf("webhook %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, db.bind("UPDATE webhooks SET secret = ?, sealed_secret = '' WHERE id = ?"), plain, id); err != nil {
			return err
		}
	}
	return nil
}

// scanSealed returns the sealed secrets by webhook id.
func scanSealed(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, sealed_secret FROM webhooks WHERE sealed_secret <> ''")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for rows.Next() {
		var id, s string
		if err := rows.Scan(&id, &s); err != nil {
			_ = rows.Close() //nolint:sqlclosecheck // closed before the updates that follow on the same transaction
			return nil, err
		}
		out[id] = s
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// KeyRotation is the outcome of RotateWebhookKey.
type KeyRotation struct {
	Resealed    int    // webhook secrets sealed again
	OldKeyID    string // the key they were sealed with before
	NewKeyID    string
	KeyFile     string // now holds the new key
	OldKeyFile  string // holds the replaced key
	Unreadable  int    // secrets no configured key opens (nothing changed)
	FirstFailed string // the first of them
}

// RotateWebhookKey replaces the key that seals webhook secrets, which must
// be kept in a file (FileSecretKeys): it writes a new key to FILE.new,
// seals every secret again with it in one transaction, then renames the
// old key file to FILE.old and FILE.new to FILE. Processes holding the old
// key read the new one when they first meet a secret sealed with it. When
// a secret cannot be opened, nothing changes.
func (db *DB) RotateWebhookKey(ctx context.Context) (KeyRotation, error) {
	k := db.secrets
	if k.path == "" {
		return KeyRotation{}, errors.New("the webhook key is not kept in a file; nothing to rotate")
	}
	oldID, err := k.PrimaryID()
	if err != nil {
		return KeyRotation{}, err
	}
	raw := GenerateSecretKey()
	next, err := newSealKey(raw)
	if err != nil {
		return KeyRotation{}, err
	}
	newFile := k.path + ".new"
	if err := writeKeyFile(newFile, raw, true); err != nil {
		return KeyRotation{}, err
	}
	out := KeyRotation{OldKeyID: oldID, NewKeyID: next.id, KeyFile: k.path, OldKeyFile: k.path + ".old"}
	err = db.WithinTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		if db.dialect == Postgres {
			// No webhook is created with the old key meanwhile.
			if err := c.Exec("LOCK TABLE webhooks IN SHARE ROW EXCLUSIVE MODE").Error; err != nil {
				return translate(err)
			}
		}
		var rows []webhookRow
		if err := c.Select("id", "sealed_secret").Find(&rows).Error; err != nil {
			return translate(err)
		}
		for _, r := range rows {
			plain, err := k.Open(r.SealedSecret, r.ID)
			if err != nil {
				out.Unreadable++
				if out.FirstFailed == "" {
					out.FirstFailed = fmt.Sprintf("webhook %s: %v", r.ID, err)
				}
				continue
			}
			if err := c.Exec("UPDATE webhooks SET sealed_secret = ? WHERE id = ?", next.seal(plain, r.ID), r.ID).Error; err != nil {
				return translate(err)
			}
			out.Resealed++
		}
		if out.Unreadable > 0 {
			return fmt.Errorf("%d webhook secrets cannot be opened (%s); nothing was changed", out.Unreadable, out.FirstFailed)
		}
		return nil
	})
	if err != nil {
		_ = os.Remove(newFile)
		return out, err
	}
	if err := os.Rename(k.path, out.OldKeyFile); err != nil {
		return out, fmt.Errorf("the secrets are sealed with the new key in %s, but moving the old key aside failed (move %s to %s by hand): %w", newFile, newFile, k.path, err)
	}
	if err := os.Rename(newFile, k.path); err != nil {
		return out, fmt.Errorf("the secrets are sealed with the new key in %s; move it to %s by hand: %w", newFile, k.path, err)
	}
	k.mu.Lock()
	err = k.load(true)
	k.mu.Unlock()
	return out, err
}

// CheckWebhookKeys counts the webhook secrets that the configured keys
// cannot open, and names the key of the first: a replica started with
// another key file than the others would sign nothing.
func (db *DB) CheckWebhookKeys(ctx context.Context) (unreadable int, example string, err error) {
	var rows []webhookRow
	if err := db.conn(ctx).Select("id", "sealed_secret").Find(&rows).Error; err != nil {
		return 0, "", translate(err)
	}
	for _, r := range rows {
		if _, err := db.secrets.Open(r.SealedSecret, r.ID); err != nil {
			unreadable++
			if example == "" {
				example = err.Error()
			}
		}
	}
	return unreadable, example, nil
}
