package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/sandbox"
)

// The two places the bot can run against: an in-process sandbox, or the
// tenant and app of a profile file.

// wireSandbox starts an in-process sandbox on its own listener, points w
// at it, and returns the bot's listener and a line telling how to sign in.
func wireSandbox(o *options, w *wiring, start func(net.Listener, http.Handler)) (net.Listener, string, error) {
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
		if o.serve {
			addr = "127.0.0.1:8080"
		}
	}
	if err := checkExposure(o, addr, w.APIKey); err != nil {
		return nil, "", err
	}
	sbLn, err := net.Listen("tcp", o.sandboxAddr)
	if err != nil {
		return nil, "", fmt.Errorf("--sandbox-addr: %v", err)
	}
	sandboxURL := "http://" + sbLn.Addr().String()
	sb := sandbox.New(sandbox.Options{BaseURL: sandboxURL})
	demo := sb.Users()[0]
	intro := fmt.Sprintf("Sandbox: Graph at %s/v1.0. Sign in as %s with the password %q.", sandboxURL, demo.UserPrincipalName, demo.Password)
	if o.approveAs != "" {
		if _, ok := sb.LookupUser(o.approveAs); !ok {
			sbLn.Close()
			return nil, "", fmt.Errorf("--approve-as %q: the sandbox has no such user", o.approveAs)
		}
		sb.ApproveSignIns(o.approveAs)
		intro = fmt.Sprintf("Sandbox: Graph at %s/v1.0. Sign-ins are approved at once as %s.", sandboxURL, o.approveAs)
	}
	botLn, err := net.Listen("tcp", addr)
	if err != nil {
		sbLn.Close()
		return nil, "", fmt.Errorf("--addr: %v", err)
	}
	start(sbLn, sb)
	w.CallbackURL = "http://" + botLn.Addr().String() + callbackPath
	w.GraphURL = sandboxURL + "/v1.0"
	// The sandbox's default app is a public client, which may redirect to
	// any loopback URL, as Entra allows native apps.
	w.Profile = &auth.Profile{
		Name: "sandbox-bot", ClientID: sandbox.DefaultClientID, Tenant: sb.TenantID(),
		Authority: sandboxURL, RedirectURL: w.CallbackURL, Source: "built-in sandbox profile",
	}
	return botLn, intro, nil
}

// wireTenant points w at the tenant and app of --profile-file and returns
// the bot's listener: --addr, or the redirect URL's own loopback port.
func wireTenant(o *options, w *wiring) (net.Listener, string, error) {
	p, err := auth.LoadProfileFile(o.profileFile)
	if err != nil {
		return nil, "", err
	}
	if p.RedirectURL == "" {
		return nil, "", fmt.Errorf("%s: redirect_url is required: the bot's sign-in callback, e.g. https://bot.example.com%s", o.profileFile, callbackPath)
	}
	u, err := url.Parse(p.RedirectURL)
	if err != nil {
		return nil, "", fmt.Errorf("%s: redirect_url: %v", o.profileFile, err)
	}
	addr := o.addr
	if addr == "" {
		if u.Scheme != "http" || u.Port() == "" {
			return nil, "", fmt.Errorf("give --addr: where this bot listens behind %s", p.RedirectURL)
		}
		addr = u.Host
	}
	if err := checkExposure(o, addr, w.APIKey); err != nil {
		return nil, "", err
	}
	w.Profile, w.CallbackURL = p, p.RedirectURL
	w.GraphURL = o.graphURL
	if w.GraphURL == "" {
		w.GraphURL = p.GraphURL
	}
	if w.GraphURL == "" {
		w.GraphURL = "https://graph.microsoft.com/v1.0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("--addr: %v", err)
	}
	return ln, fmt.Sprintf("Graph at %s; users sign in to %s (%s).", w.GraphURL, p.Name, p.ClientID), nil
}

// checkExposure refuses to serve /messages beyond loopback without an API
// key: the endpoint trusts the user ids it is sent.
func checkExposure(o *options, addr, apiKey string) error {
	if o.serve && apiKey == "" && !loopbackAddr(addr) {
		return fmt.Errorf("--addr %s is reachable from other machines: set --api-key-env so that only your chat platform can post messages as your users", addr)
	}
	return nil
}

func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
