package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

// BenchmarkUserProviderCachedToken measures the common path of every Graph
// request: a valid token already in the store. The baseline is the store
// lookup alone; the ratio is the provider's overhead (locking, scope
// checks). With a FileStore, the provider's cache saves a file read per
// request.
func BenchmarkUserProviderCachedToken(b *testing.B) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	store := auth.NewMemoryStore()
	tok := sampleToken(auth.SystemProfileName, auth.DefaultSubject)
	tok.Expiry = now.Add(time.Hour)
	tok.Scopes = []string{"User.Read", "Mail.Send", "Calendars.ReadWrite", "Tasks.ReadWrite", "MailboxSettings.Read"}
	_ = store.Save(context.Background(), tok)
	p, err := auth.NewUserProvider(auth.UserConfig{Profile: auth.SystemProfile(), Store: store, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := auth.Request{Scopes: []string{"Calendars.Read", "MailboxSettings.Read"}}
	b.Run("baseline-store-load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := store.Load(ctx, auth.SystemProfileName, auth.DefaultSubject); err != nil {
				b.Fatal(err)
			}
		}
	})
	fs := auth.NewFileStore(b.TempDir())
	_ = fs.Save(ctx, tok)
	pf, _ := auth.NewUserProvider(auth.UserConfig{Profile: auth.SystemProfile(), Store: fs, Now: func() time.Time { return now }})
	b.Run("baseline-filestore-load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := fs.Load(ctx, auth.SystemProfileName, auth.DefaultSubject); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("provider-token-filestore", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pf.Token(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("provider-token", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Token(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
