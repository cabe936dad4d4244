package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestEvidenceConfig(t *testing.T) {
	cfg, err := loadConfig(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.evidenceDir() != filepath.Join("data", "evidence") || cfg.EvidenceMaxBytes != 25<<20 {
		t.Errorf("evidence defaults: dir %s, max %d", cfg.evidenceDir(), cfg.EvidenceMaxBytes)
	}
	env := map[string]string{"VW_DATA_DIR": "/srv/vw", "VW_EVIDENCE_MAX_BYTES": "1000"}
	if cfg, err = loadConfig(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.evidenceDir() != "/srv/vw/evidence" || cfg.EvidenceMaxBytes != 1000 {
		t.Errorf("evidence under VW_DATA_DIR: dir %s, max %d", cfg.evidenceDir(), cfg.EvidenceMaxBytes)
	}
	env["VW_EVIDENCE_DIR"] = "/mnt/evidence"
	if cfg, _ = loadConfig(func(k string) string { return env[k] }); cfg.evidenceDir() != "/mnt/evidence" {
		t.Errorf("VW_EVIDENCE_DIR ignored: %s", cfg.evidenceDir())
	}
	env["VW_EVIDENCE_MAX_BYTES"] = "lots"
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil {
		t.Error("a non-numeric VW_EVIDENCE_MAX_BYTES was accepted")
	}
}

// TestEvidenceWiring checks that the program's attestation service stores
// files in the configured directory under the configured limit.
func TestEvidenceWiring(t *testing.T) {
	cfg, err := loadConfig(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = repotest.URL(t, repository.SQLite)
	cfg.EvidenceDir = filepath.Join(t.TempDir(), "ev")
	cfg.EvidenceMaxBytes = 64
	ctx := domain.WithActor(context.Background(), domain.SystemActor)
	a, err := openApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	v, err := a.svc.Vendors.Create(ctx, register.VendorInput{Name: evidencePtr("Wired Co")})
	if err != nil {
		t.Fatal(err)
	}
	kind, issued := attestation.KindSIG, domain.NewDate(2026, 1, 5)
	att, err := a.svc.Attestations.Create(ctx, attestation.AttestationInput{VendorID: &v.ID, Kind: &kind, IssuedOn: &issued})
	if err != nil {
		t.Fatal(err)
	}
	up := func(content string) error {
		_, _, err := a.svc.Attestations.AttachEvidence(ctx, att.ID, domain.EvidenceUpload{Name: "sig.txt", Content: strings.NewReader(content)}, 0)
		return err
	}
	if err := up("SIG lite answers, 2026\n"); err != nil {
		t.Fatal(err)
	}
	if err := up(strings.Repeat("x", 65)); !errors.Is(err, domain.ErrEvidenceTooLarge) {
		t.Errorf("65 bytes with a 64-byte limit: %v", err)
	}
	entries, err := os.ReadDir(filepath.Join(cfg.EvidenceDir, "sha256"))
	if err != nil || len(entries) != 1 {
		t.Errorf("evidence dir holds %v (%v), want one blob directory", entries, err)
	}
}

func evidencePtr[T any](v T) *T { return &v }
