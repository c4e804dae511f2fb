package auth_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

func ExampleParseProfile() {
	p, err := auth.ParseProfile([]byte(`
name: contoso
client_id: 00001111-aaaa-2222-bbbb-3333cccc4444
client_secret: env:CONTOSO_RUNFLOW_SECRET
tenant: contoso.onmicrosoft.com
scopes: [User.Read, Mail.Send]
`), "contoso.yaml")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Endpoints().TokenURL)
	fmt.Println("confidential:", p.Confidential())

	_, err = auth.ParseProfile([]byte("client_id: x\nclient_secret: hunter2\n"), "bad.yaml")
	fmt.Println(err != nil)
	// Output:
	// https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token
	// confidential: true
	// true
}

func ExampleMissingScopes() {
	granted := []string{"User.Read", "Calendars.ReadWrite", "openid"}
	fmt.Println(auth.MissingScopes(granted, []string{"Calendars.Read", "Mail.Send", "offline_access"}))
	fmt.Println(auth.ScopesFor([]string{"Mail.Send"}))
	// Output:
	// [Mail.Send]
	// [Mail.Send offline_access openid profile]
}

func ExampleNewUserProvider() {
	p, err := auth.NewUserProvider(auth.UserConfig{Profile: auth.SystemProfile(), Store: auth.NewMemoryStore()})
	if err != nil {
		log.Fatal(err)
	}
	_, err = p.Token(context.Background(), auth.Request{Scopes: []string{"Mail.Send"}})
	if sir, ok := auth.IsSignInRequired(err); ok {
		fmt.Println(sir.Reason)
	}
	// Output:
	// no account is signed in for profile "system"; run "runflow auth login" (or try --sandbox)
}

// ExampleClientCredentials gets an app-only token from the sandbox's
// identity platform and reads a user's calendar with it.
func ExampleClientCredentials() {
	sb := sandbox.New(sandbox.Options{})
	ts := httptest.NewServer(sb)
	defer ts.Close()
	sb.RegisterClient(sandbox.Client{ID: "daemon", Secret: "example-secret", Roles: []string{"Calendars.Read"}})

	p, err := auth.ClientCredentials(auth.ClientCredentialsConfig{
		ClientID:     "daemon",
		ClientSecret: "example-secret", // in real use: from Profile.Secret()
		TokenURL:     ts.URL + "/" + sb.TenantID() + "/oauth2/v2.0/token",
	})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := p.Token(context.Background(), auth.Request{})
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/v1.0/users/"+sb.Users()[0].UserPrincipalName+"/events", nil)
	tok.SetAuthHeader(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("app-only:", auth.IsAppOnly(p), "status:", resp.StatusCode)
	// Output:
	// app-only: true status: 200
}

// ExampleLoginDeviceCode signs in on the sandbox with a device code; here
// the "other device" is the sandbox's ApproveDeviceCode.
func ExampleLoginDeviceCode() {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	sb := sandbox.New(sandbox.Options{Now: clock})
	ts := httptest.NewServer(sb)
	defer ts.Close()

	st, err := auth.LoginDeviceCode(context.Background(), auth.SystemProfile().WithAuthority(ts.URL), auth.LoginOptions{
		Store: auth.NewMemoryStore(),
		Now:   clock,
		OnDeviceCode: func(p auth.DeviceCodePrompt) {
			fmt.Println("user code has", len(p.UserCode), "characters")
			_ = sb.ApproveDeviceCode(p.UserCode, "")
		},
		Sleep: func(_ context.Context, d time.Duration) error { now = now.Add(d); return nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", st.Account.Username)
	// Output:
	// user code has 9 characters
	// signed in as AdeleV@contoso.onmicrosoft.com
}

// ExampleNewBotSignIn wires the sign-in of a bot's users: the provider for
// the engine, and the callback handler on the bot's web server.
func ExampleNewBotSignIn() {
	profile, err := auth.LoadProfile("mybot") // client_id, client_secret: env:..., tenant, redirect_url
	if err != nil {
		log.Fatal(err)
	}
	store, err := auth.DefaultFileStore() // or the bot's own Store (a database)
	if err != nil {
		log.Fatal(err)
	}
	bot, err := auth.NewBotSignIn(auth.BotConfig{
		Profile:     profile,
		Store:       store,
		CallbackURL: "https://bot.example.com/auth/callback",
		StateKey:    []byte(os.Getenv("MYBOT_STATE_KEY")), // 32+ random bytes
	})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle(bot.CallbackPath(), bot.CallbackHandler())

	// In a conversation: Token answers *SignInRequiredError{URL, MagicCode:
	// true} until the user signs in and types the code shown back into the
	// chat, which the bot passes to CompleteSignIn.
	req := auth.Request{Subject: "teams-user-42", Conversation: "conv-7", Scopes: []string{"Calendars.ReadWrite"}}
	if _, err := bot.Token(context.Background(), req); err != nil {
		if sir, ok := auth.IsSignInRequired(err); ok {
			fmt.Println("Please sign in:", sir.URL)
		}
	}
	_ = bot.CompleteSignIn(context.Background(), req, "123456")
}
