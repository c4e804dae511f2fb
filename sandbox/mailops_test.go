package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// graphDoc reads a documentation example kept in testdata/graphdocs (see
// SOURCES.md there for the page and commit of each).
func graphDoc(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "graphdocs", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func graphDocText(t *testing.T, name string) string {
	t.Helper()
	b, err := json.Marshal(graphDoc(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mailScopes covers every mail operation.
var mailScopes = []string{"User.Read", "Mail.Send", "Mail.ReadWrite"}

// inboxMessage returns a demo Inbox message (its id and the whole view).
func inboxMessage(t *testing.T, ts *httptest.Server, tok string, n int) map[string]any {
	t.Helper()
	vs := do(t, ts, tok, "GET", "/v1.0/me/mailFolders/inbox/messages", "").wantStatus(t, 200).values(t)
	if len(vs) <= n {
		t.Fatalf("only %d inbox messages", len(vs))
	}
	return vs[n]
}

func folderMessages(t *testing.T, ts *httptest.Server, tok, folder string) []map[string]any {
	t.Helper()
	return do(t, ts, tok, "GET", "/v1.0/me/mailFolders/"+folder+"/messages?$top=100", "").wantStatus(t, 200).values(t)
}

func recipientsOf(m map[string]any, key string) []string {
	var out []string
	for _, r := range m[key].([]any) {
		out = append(out, sv(r.(map[string]any)["emailAddress"].(map[string]any)["address"]))
	}
	return out
}

// newDraft creates a draft to an address and returns its id.
func newDraft(t *testing.T, ts *httptest.Server, tok, body string) string {
	t.Helper()
	if body == "" {
		body = `{"subject":"Draft","toRecipients":[{"emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}],"body":{"contentType":"text","content":"See attached."}}`
	}
	d := do(t, ts, tok, "POST", "/v1.0/me/messages", body).wantStatus(t, 201).json
	if d["isDraft"] != true {
		t.Fatalf("created message is not a draft: %v", d)
	}
	return sv(d["id"])
}

func TestExamplesMailOperations(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(mailScopes...)

	t.Run("reply (message-reply.md example 1)", func(t *testing.T) {
		orig := inboxMessage(t, ts, tok, 0)
		before := len(folderMessages(t, ts, tok, "sentitems"))
		a := do(t, ts, tok, "POST", "/v1.0/me/messages/"+sv(orig["id"])+"/reply", graphDocText(t, "message-reply-request.json")).wantStatus(t, 202)
		if len(a.raw) != 0 {
			t.Errorf("202 with a body: %s", a.raw)
		}
		sent := folderMessages(t, ts, tok, "sentitems")
		if len(sent) != before+1 {
			t.Fatalf("Sent Items has %d messages, want %d", len(sent), before+1)
		}
		r := sent[0]
		to := recipientsOf(r, "toRecipients")
		origFrom := sv(orig["from"].(map[string]any)["emailAddress"].(map[string]any)["address"])
		if want := []string{origFrom, "samanthab@contoso.onmicrosoft.com", "randiw@contoso.onmicrosoft.com"}; fmt.Sprint(to) != fmt.Sprint(want) {
			t.Errorf("reply to %v, want %v", to, want)
		}
		if sv(r["subject"]) != "RE: "+sv(orig["subject"]) || r["conversationId"] != orig["conversationId"] {
			t.Errorf("reply subject %q conversation %v", r["subject"], r["conversationId"])
		}
		if !strings.Contains(sv(r["body"].(map[string]any)["content"]), "Samantha, Randi, would you name the group please?") {
			t.Errorf("the comment is not in the reply body: %v", r["body"])
		}
	})

	t.Run("forward (message-forward.md example 1)", func(t *testing.T) {
		orig := inboxMessage(t, ts, tok, 1)
		body := strings.Replace(graphDocText(t, "message-forward-request.json"), "address-value", "fannyd@contoso.com", 1)
		do(t, ts, tok, "POST", "/v1.0/me/messages/"+sv(orig["id"])+"/forward", body).wantStatus(t, 202)
		f := folderMessages(t, ts, tok, "sentitems")[0]
		if fmt.Sprint(recipientsOf(f, "toRecipients")) != "[fannyd@contoso.com]" || sv(f["subject"]) != "FW: "+sv(orig["subject"]) {
			t.Errorf("forward: %v %v", f["toRecipients"], f["subject"])
		}
		// Documented: toRecipients as a parameter or in message, not both
		// nor neither.
		do(t, ts, tok, "POST", "/v1.0/me/messages/"+sv(orig["id"])+"/forward", `{"comment":"x"}`).wantError(t, 400, "ErrorInvalidRequest", msgForwardNoTo)
		do(t, ts, tok, "POST", "/v1.0/me/messages/"+sv(orig["id"])+"/forward",
			`{"toRecipients":[{"emailAddress":{"address":"a@contoso.com"}}],"message":{"toRecipients":[{"emailAddress":{"address":"b@contoso.com"}}]}}`).
			wantError(t, 400, "ErrorInvalidRequest", msgForwardNoTo)
	})

	t.Run("createReply (message-createreply.md example 2)", func(t *testing.T) {
		orig := inboxMessage(t, ts, tok, 2)
		want := graphDoc(t, "message-createreply-response.json")
		got := do(t, ts, tok, "POST", "/v1.0/me/messages/"+sv(orig["id"])+"/createReply", "").wantStatus(t, 201).json
		checkShape(t, want, got, nil)
		if got["isDraft"] != true || got["parentFolderId"] != FolderID(s.Users()[0].ID, "drafts") {
			t.Errorf("createReply: not a draft in Drafts: %v %v", got["isDraft"], got["parentFolderId"])
		}
		if n := len(folderMessages(t, ts, tok, "drafts")); n != 1 {
			t.Errorf("%d drafts, want 1", n)
		}
	})

	t.Run("update (message-update.md)", func(t *testing.T) {
		id := newDraft(t, ts, tok, "")
		// The docs send contentType "" which Graph's reader refuses.
		body := strings.Replace(graphDocText(t, "message-update-request.json"), `"contentType":""`, `"contentType":"text"`, 1)
		got := do(t, ts, tok, "PATCH", "/v1.0/me/messages/"+id, body).wantStatus(t, 200).json
		for k, wv := range graphDoc(t, "message-update-response.json") {
			if k == "body" {
				continue // placeholder contentType ""
			}
			if d := shapeDiff(k, wv, got[k]); len(d) > 0 {
				t.Errorf("%v", d)
			}
		}
		if got["subject"] != "subject-value" || got["inferenceClassification"] != "other" {
			t.Errorf("patched draft: %v %v", got["subject"], got["inferenceClassification"])
		}
	})

	t.Run("move (message-move.md)", func(t *testing.T) {
		orig := inboxMessage(t, ts, tok, 3)
		want := graphDoc(t, "message-move-response.json")
		got := do(t, ts, tok, "POST", "/v1.0/me/messages/"+sv(orig["id"])+"/move", graphDocText(t, "message-move-request.json")).wantStatus(t, 201).json
		checkShape(t, want, got, nil)
		if got["id"] == orig["id"] || got["parentFolderId"] != FolderID(s.Users()[0].ID, "deleteditems") {
			t.Errorf("moved: id %v folder %v", got["id"], got["parentFolderId"])
		}
		do(t, ts, tok, "GET", "/v1.0/me/messages/"+sv(orig["id"]), "").wantError(t, 404, "ErrorItemNotFound", msgNotFound)
	})

	var draftID, uploadURL string
	t.Run("list attachments (message-list-attachments.md)", func(t *testing.T) {
		draftID = newDraft(t, ts, tok, `{"subject":"With a file","toRecipients":[{"emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}],
			"attachments":[{"@odata.type":"#microsoft.graph.fileAttachment","name":"notes.txt","contentType":"text/plain","contentBytes":"aGVsbG8="}]}`)
		want := graphDoc(t, "message-list-attachments-response.json")
		got := do(t, ts, tok, "GET", "/v1.0/me/messages/"+draftID+"/attachments", "").wantStatus(t, 200).json
		checkShape(t, firstValue(t, want), firstValue(t, got), map[string]string{
			"@odata.mediaContentType": "Graph sends it with every file attachment (outlook-large-attachments.md shows it); this example omits it",
			"contentId":               `the example writes the placeholder string "null"; Graph sends null when no contentId was given`,
			"contentLocation":         "a placeholder in the example; Graph sends null for a file attachment without one",
		})
		a := firstValue(t, got)
		if a["size"] != float64(5) || a["@odata.type"] != "#microsoft.graph.fileAttachment" || a["contentBytes"] != "aGVsbG8=" {
			t.Errorf("attachment %v", a)
		}
	})

	t.Run("createUploadSession (attachment-createuploadsession.md example 1)", func(t *testing.T) {
		want := graphDoc(t, "attachment-createuploadsession-response.json")
		got := do(t, ts, tok, "POST", "/v1.0/me/messages/"+draftID+"/attachments/createUploadSession", graphDocText(t, "attachment-createuploadsession-request.json")).wantStatus(t, 201).json
		checkShape(t, want, got, nil)
		uploadURL = sv(got["uploadUrl"])
		if !strings.HasPrefix(uploadURL, ts.URL+"/api/v2.0/Users('") || !strings.Contains(uploadURL, "?authtoken=") {
			t.Errorf("uploadUrl %q", uploadURL)
		}
	})

	file := bytes.Repeat([]byte("0123456789abcdef"), 3483322/16+1)[:3483322]
	t.Run("upload ranges (outlook-large-attachments.md steps 2 and 3)", func(t *testing.T) {
		a := put(t, uploadURL, file[:2097152], "bytes 0-2097151/3483322", "")
		if a.status != 200 {
			t.Fatalf("first range: %d %s", a.status, a.raw)
		}
		checkShape(t, graphDoc(t, "upload-first-range-response.json"), a.json, nil)
		if fmt.Sprint(a.json["nextExpectedRanges"]) != "[2097152]" {
			t.Errorf("nextExpectedRanges %v", a.json["nextExpectedRanges"])
		}
		a = put(t, uploadURL, file[2097152:], "bytes 2097152-3483321/3483322", "")
		if a.status != 201 || len(a.raw) != 0 {
			t.Fatalf("last range: %d %s", a.status, a.raw)
		}
		loc := a.header.Get("Location")
		if !strings.Contains(loc, "/Attachments('") {
			t.Fatalf("Location %q", loc)
		}
		attID := loc[strings.LastIndex(loc, "('")+2 : len(loc)-2]
		want := graphDoc(t, "attachment-get-metadata-response.json")
		got := do(t, ts, tok, "GET", "/v1.0/me/messages/"+draftID+"/attachments/"+attID+"?$select=lastModifiedDateTime,name,contentType,size,isInline", "").wantStatus(t, 200).json
		checkShape(t, want, got, nil)
		full := do(t, ts, tok, "GET", "/v1.0/me/messages/"+draftID+"/attachments/"+attID, "").wantStatus(t, 200).json
		data, _ := base64.StdEncoding.DecodeString(sv(full["contentBytes"]))
		if !bytes.Equal(data, file) || full["size"] != float64(len(file)) || full["name"] != "flower" {
			t.Errorf("uploaded attachment: %d bytes, size %v, name %v", len(data), full["size"], full["name"])
		}
	})

	t.Run("send the draft (message-send.md)", func(t *testing.T) {
		a := do(t, ts, tok, "POST", "/v1.0/me/messages/"+draftID+"/send", "").wantStatus(t, 202)
		if len(a.raw) != 0 {
			t.Errorf("202 with a body: %s", a.raw)
		}
		sent := do(t, ts, tok, "GET", "/v1.0/me/messages/"+draftID, "").wantStatus(t, 200).json
		if sent["isDraft"] != false || sent["parentFolderId"] != FolderID(s.Users()[0].ID, "sentitems") || sent["hasAttachments"] != true {
			t.Errorf("sent draft: %v %v %v", sent["isDraft"], sent["parentFolderId"], sent["hasAttachments"])
		}
		if n := len(do(t, ts, tok, "GET", "/v1.0/me/messages/"+draftID+"/attachments", "").wantStatus(t, 200).values(t)); n != 2 {
			t.Errorf("the sent message has %d attachments, want 2", n)
		}
		do(t, ts, tok, "POST", "/v1.0/me/messages/"+draftID+"/send", "").wantError(t, 400, "ErrorInvalidOperation", msgNotDraft)
	})
}

// put sends one range to an upload URL, with no token unless auth is set.
func put(t *testing.T, u string, body []byte, contentRange, auth string) answer {
	t.Helper()
	req, err := http.NewRequest("PUT", u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if contentRange != "" {
		req.Header.Set("Content-Range", contentRange)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.json); err != nil {
			t.Fatalf("PUT answer is not JSON: %s", raw)
		}
	}
	return a
}

func TestUploadSessionRules(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(mailScopes...)
	draft := newDraft(t, ts, tok, "")
	const size = 3<<20 + 10
	open := func(t *testing.T) string {
		t.Helper()
		return sv(do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments/createUploadSession",
			fmt.Sprintf(`{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":%d}}`, size)).wantStatus(t, 201).json["uploadUrl"])
	}
	chunk := make([]byte, 1<<20)
	errCode := func(a answer) string { e, _ := a.json["error"].(map[string]any); return sv(e["code"]) }

	t.Run("a token sent to the upload URL is refused", func(t *testing.T) {
		a := put(t, open(t), chunk, "bytes 0-1048575/3145738", tok)
		if a.status != 401 || errCode(a) != "InvalidAuthenticationToken" {
			t.Errorf("%d %s", a.status, a.raw)
		}
	})
	t.Run("ranges in order only", func(t *testing.T) {
		u := open(t)
		for _, c := range []struct {
			name, rng string
			body      []byte
			status    int
			code      string
		}{
			{"out of order", "bytes 1048576-2097151/3145738", chunk, 416, "InvalidRange"},
			{"first", "bytes 0-1048575/3145738", chunk, 200, ""},
			{"overlapping", "bytes 1000-1049575/3145738", chunk, 416, "InvalidRange"},
			{"again", "bytes 0-1048575/3145738", chunk, 416, "InvalidRange"},
			{"wrong total", "bytes 1048576-2097151/99999999", chunk, 400, "InvalidContentRange"},
			{"no Content-Range", "", chunk, 400, "InvalidContentRange"},
			{"body shorter than the range", "bytes 1048576-2097151/3145738", chunk[:10], 400, "InvalidContentRange"},
			{"second", "bytes 1048576-2097151/3145738", chunk, 200, ""},
		} {
			a := put(t, u, c.body, c.rng, "")
			if a.status != c.status || (c.code != "" && errCode(a) != c.code) {
				t.Errorf("%s: %d %s, want %d %s", c.name, a.status, a.raw, c.status, c.code)
			}
		}
	})
	t.Run("wrong authtoken, cancel", func(t *testing.T) {
		u := open(t)
		bad := u[:strings.Index(u, "authtoken=")] + "authtoken=wrong"
		if a := put(t, bad, chunk, "bytes 0-1048575/3145738", ""); a.status != 401 {
			t.Errorf("wrong authtoken: %d %s", a.status, a.raw)
		}
		req, _ := http.NewRequest("DELETE", u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			t.Errorf("cancel: %d", resp.StatusCode)
		}
		if a := put(t, u, chunk, "bytes 0-1048575/3145738", ""); a.status != 404 {
			t.Errorf("after cancel: %d %s", a.status, a.raw)
		}
	})
	t.Run("the authtoken is not logged", func(t *testing.T) {
		for _, r := range s.Requests() {
			if strings.HasPrefix(r.Path, "/api/") && r.Query.Get("authtoken") != "[redacted]" {
				t.Errorf("logged authtoken %q", r.Query.Get("authtoken"))
			}
		}
	})
	t.Run("sizes", func(t *testing.T) {
		for _, c := range []struct {
			size int
			code string
		}{
			{3<<20 - 1, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize"},
			{150<<20 + 1, "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize"},
			{36 << 20, "ErrorMessageSizeExceeded"},
		} {
			a := do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments/createUploadSession",
				fmt.Sprintf(`{"AttachmentItem":{"attachmentType":"file","name":"f","size":%d}}`, c.size))
			a.wantError(t, 400, c.code, "")
		}
	})
}

func TestInlineAttachments(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(mailScopes...)
	att := func(n int) string {
		return fmt.Sprintf(`{"@odata.type":"#microsoft.graph.fileAttachment","name":"f.bin","contentType":"application/octet-stream","contentBytes":%q}`,
			base64.StdEncoding.EncodeToString(make([]byte, n)))
	}
	send := func(atts ...string) answer {
		return do(t, ts, tok, "POST", "/v1.0/me/sendMail", `{"message":{"subject":"files","toRecipients":[{"emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}],"attachments":[`+strings.Join(atts, ",")+`]}}`)
	}
	// 3 MB inline in all, across attachments.
	send(att(2<<20), att(1<<20-200_000)).wantStatus(t, 202)
	send(att(2<<20), att(1<<20+1)).wantError(t, 413, "RequestEntityTooLarge", "")
	send(`{"@odata.type":"#microsoft.graph.fileAttachment","name":"x","contentBytes":"not base64!"}`).wantError(t, 400, "RequestBodyRead", "")
	send(`{"@odata.type":"#microsoft.graph.itemAttachment","name":"x"}`).wantError(t, 400, "RequestBodyRead", "")
	send(`{"@odata.type":"#microsoft.graph.fileAttachment","contentBytes":"aGk="}`).wantError(t, 400, "ErrorPropertyValidationFailure", "")
	// A single POST to .../attachments takes under 3 MB too.
	draft := newDraft(t, ts, tok, "")
	do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments", att(3<<20+1)).wantError(t, 413, "RequestEntityTooLarge", "")
	got := do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments", att(10)).wantStatus(t, 201).json
	if got["size"] != float64(10) || got["id"] == "" {
		t.Errorf("added attachment %v", got)
	}
	// The message itself lists no attachments: they have their own path.
	m := do(t, ts, tok, "GET", "/v1.0/me/messages/"+draft, "").wantStatus(t, 200).json
	if _, ok := m["attachments"]; ok || m["hasAttachments"] != true {
		t.Errorf("message view: attachments %v hasAttachments %v", m["attachments"], m["hasAttachments"])
	}
}

func TestUpdateMessageRules(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(mailScopes...)
	orig := inboxMessage(t, ts, tok, 0)
	path := "/v1.0/me/messages/" + sv(orig["id"])
	got := do(t, ts, tok, "PATCH", path, `{"isRead":false,"categories":["Red category"],"flag":{"flagStatus":"flagged"}}`).wantStatus(t, 200).json
	if got["isRead"] != false || fmt.Sprint(got["categories"]) != "[Red category]" || got["flag"].(map[string]any)["flagStatus"] != "flagged" {
		t.Errorf("patched: %v %v %v", got["isRead"], got["categories"], got["flag"])
	}
	if got["changeKey"] == orig["changeKey"] {
		t.Error("changeKey unchanged")
	}
	again := do(t, ts, tok, "GET", path, "").wantStatus(t, 200).json
	if again["isRead"] != false {
		t.Error("the update was not kept")
	}
	for _, c := range []struct{ body, status, code string }{
		{`{"subject":"new"}`, "400", "ErrorInvalidPropertyUpdateSentMessage"},
		{`{"body":{"contentType":"text","content":"x"}}`, "400", "ErrorInvalidPropertyUpdateSentMessage"},
		{`{"receivedDateTime":"2026-01-01T00:00:00Z"}`, "400", "ErrorInvalidPropertySet"},
		{`{"id":"AAMkAAA="}`, "400", "ErrorInvalidPropertySet"},
		{`{"attachments":[]}`, "400", "ErrorInvalidPropertySet"},
		{`{"isRead":"yes"}`, "400", "RequestBodyRead"},
		{`{"flag":{"flagStatus":"sometimes"}}`, "400", "RequestBodyRead"},
		{`{"noSuchProperty":1}`, "400", "RequestBodyRead"},
	} {
		a := do(t, ts, tok, "PATCH", path, c.body)
		a.wantError(t, 400, c.code, "")
	}
	do(t, ts, tok, "PATCH", path, `{"isRead":true}`, "If-Match", `W/"stale"`).wantError(t, 412, "ErrorIrresolvableConflict", "")
}

func TestMailOperationPermissions(t *testing.T) {
	s, ts := newSandbox(t)
	all := s.Token(mailScopes...)
	id := sv(inboxMessage(t, ts, all, 0)["id"])
	readOnly := s.Token("Mail.Read")
	sendOnly := s.Token("Mail.Send")
	basic := s.Token("Mail.ReadBasic")
	for _, c := range []struct {
		tok, method, path, body string
		status                  int
	}{
		{readOnly, "POST", "/reply", `{"comment":"x"}`, 403},
		{readOnly, "POST", "/forward", `{"toRecipients":[{"emailAddress":{"address":"a@contoso.com"}}]}`, 403},
		{sendOnly, "POST", "/createReply", "", 403},
		{sendOnly, "PATCH", "", `{"isRead":true}`, 403},
		{sendOnly, "POST", "/move", `{"destinationId":"archive"}`, 403},
		{basic, "GET", "/attachments", "", 403},
		{sendOnly, "POST", "/reply", `{"comment":"x"}`, 202},
		{readOnly, "GET", "/attachments", "", 200},
	} {
		a := do(t, ts, c.tok, c.method, "/v1.0/me/messages/"+id+c.path, c.body)
		if a.status != c.status {
			t.Errorf("%s %s: %d, want %d (%s)", c.method, c.path, a.status, c.status, a.raw)
		}
	}
}

func TestReplyRules(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(mailScopes...)
	orig := inboxMessage(t, ts, tok, 0)
	base := "/v1.0/me/messages/" + sv(orig["id"])
	do(t, ts, tok, "POST", base+"/reply", `{"comment":"x","message":{"body":{"contentType":"text","content":"y"}}}`).wantError(t, 400, "ErrorInvalidRequest", msgCommentAndBody)
	do(t, ts, tok, "POST", base+"/reply", "").wantError(t, 400, "BadRequest", msgEmptyPayload)
	do(t, ts, tok, "POST", "/v1.0/me/messages/not-an-id/reply", `{"comment":"x"}`).wantError(t, 400, "ErrorInvalidIdMalformed", msgIDMalformed)
	do(t, ts, tok, "POST", "/v1.0/me/messages/"+newItemID()+"/reply", `{"comment":"x"}`).wantError(t, 404, "ErrorItemNotFound", msgNotFound)
	do(t, ts, tok, "POST", base+"/reply", "bm90IE1JTUU=", "Content-Type", "text/plain").wantStatus(t, 202)
	do(t, ts, tok, "POST", base+"/reply", "not base64!", "Content-Type", "text/plain").wantError(t, 400, "ErrorMimeContentInvalidBase64String", "")
	do(t, ts, tok, "POST", base+"/move", `{"destinationId":"nowhere"}`).wantError(t, 400, "ErrorInvalidIdMalformed", "")
	do(t, ts, tok, "POST", base+"/move", `{"destinationId":"`+newItemID()+`"}`).wantError(t, 404, "ErrorItemNotFound", "")

	// A reply to a sandbox user lands in their Inbox; replyAll leaves the
	// mailbox itself out.
	me := s.Users()[0]
	other := s.Users()[1]
	do(t, ts, tok, "POST", "/v1.0/me/sendMail", `{"message":{"subject":"Hello","toRecipients":[{"emailAddress":{"address":"`+other.Mail+`"}},{"emailAddress":{"address":"`+me.Mail+`"}}]}}`).wantStatus(t, 202)
	mine := inboxMessage(t, ts, tok, 0)
	if mine["subject"] != "Hello" {
		t.Fatalf("the message to myself is not first in my Inbox: %v", mine["subject"])
	}
	d := do(t, ts, tok, "POST", "/v1.0/me/messages/"+sv(mine["id"])+"/createReplyAll", "").wantStatus(t, 201).json
	if to := recipientsOf(d, "toRecipients"); fmt.Sprint(to) != fmt.Sprint([]string{me.Mail, other.Mail}) {
		t.Errorf("replyAll to %v", to)
	}
	otherTok := s.IssueToken(Grant{UserID: other.ID, Scopes: mailScopes, Expiry: testNow.Add(3600e9)})
	theirs := inboxMessage(t, ts, otherTok, 0)
	do(t, ts, otherTok, "POST", "/v1.0/me/messages/"+sv(theirs["id"])+"/reply", `{"comment":"Hi back"}`).wantStatus(t, 202)
	back := inboxMessage(t, ts, tok, 0)
	if back["subject"] != "RE: Hello" || back["isRead"] != false {
		t.Errorf("the reply in my Inbox: %v %v", back["subject"], back["isRead"])
	}
}
