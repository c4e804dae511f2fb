package engine

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/runflow/runflow/engine/input"
	"github.com/runflow/runflow/graph"
)

// An http step with `upload` PUTs a file input's bytes to an upload
// session's URL (Graph's createUploadSession answer), in ranges, through
// graph.Client.Upload: the URL is pre-authenticated, lives on another host
// (outlook.office.com) and never receives the token.
//
//	- id: put
//	  http:
//	    method: PUT
//	    upload:
//	      url: ${ json(steps.session.body, 'uploadUrl') }
//	      file: ${ file }

type uploadSpec struct {
	url  *value // exactly one expression: the upload URL
	file *value // exactly one expression: a file value
}

// decodeUpload reads an http step's upload, which replaces its path,
// query, headers and body.
func (d *decoder) decodeUpload(kv keyValue, fields map[string]keyValue, h *httpSpec) {
	for _, k := range []string{"path", "query", "headers", "body", "paging"} {
		if f, ok := fields[k]; ok {
			d.ps.errorf(f.kpos, "http: an upload sends a file to its upload URL: it takes no %s", k)
		}
	}
	if h.method != "" && h.method != http.MethodPut {
		d.ps.errorf(kv.kpos, "http: an upload is a PUT, not %s", h.method)
	}
	r := d.resolve(kv.value)
	h.pathPos = posOf(r)
	kvs, ok := d.mapping(r, "http upload", uploadKeys)
	if !ok {
		return
	}
	up := &uploadSpec{}
	for _, f := range kvs {
		e := d.decodeExprNode(f.value, "http upload "+f.key)
		if e == nil {
			continue
		}
		v := &value{kind: valExpr, pos: posOf(d.resolve(f.value)), expr: e}
		switch f.key {
		case "url":
			up.url = v
		case "file":
			up.file = v
		}
	}
	for _, k := range uploadKeys {
		found := false
		for _, f := range kvs {
			found = found || f.key == k
		}
		if !found {
			d.ps.errorf(h.pathPos, "http upload: missing required key %q", k)
		}
	}
	if up.url != nil && up.file != nil {
		h.upload = up
	}
	h.summary = "PUT ${ " + firstExprSource(up.url) + " } (upload)"
}

func firstExprSource(v *value) string {
	if v == nil || v.expr == nil {
		return "?"
	}
	return v.expr.src
}

// execUpload runs an http step with upload.
func (s *session) execUpload(ctx context.Context, st *step) action {
	h := st.http
	raw, err := s.evalText(h.upload.url)
	if err != nil {
		return s.fail(st, err)
	}
	fv, err := s.evalValue(h.upload.file)
	if err != nil {
		return s.fail(st, err)
	}
	f, ok := fv.(input.FileValue)
	if !ok {
		return s.fail(st, fmt.Errorf("upload file must be a file (an input of type file, or an item of a files input), not %s", uploadTypeName(fv)))
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return s.fail(st, fmt.Errorf("upload url is not an absolute URL"))
	}
	if err := s.e.client.UploadHostAllowed(u); err != nil {
		return s.fail(st, err)
	}
	if s.opts.DryRun {
		hdr := http.Header{"Content-Type": {"application/octet-stream"}, "Content-Range": {fmt.Sprintf("bytes 0-%d/%d", f.Size-1, f.Size)}}
		s.turn.Kind, s.turn.Status = KindDone, StatusDryRun
		s.turn.DryRun = &PlannedRequest{Method: http.MethodPut, URL: graph.RedactURL(u), Header: hdr}
		s.stack = nil
		return actPause
	}
	if act, stop := s.claimWrite(ctx, st, http.MethodPut, graph.RedactURL(u)); stop {
		return act
	}
	sctx, cancel, limit := s.stepContext(ctx)
	defer cancel()
	resp, err := s.e.client.Upload(sctx, raw, input.Content(f), graph.UploadOptions{ChunkBytes: s.e.cfg.Graph.UploadChunkBytes, MaxResumes: s.e.cfg.Graph.UploadResumes})
	if err != nil {
		return s.sendFailed(sctx, st, limit, err)
	}
	return s.stepAnswered(st, s.newResult(resp))
}

func uploadTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "text"
	case []input.FileValue:
		return "a list of files (upload one at a time, e.g. in a foreach)"
	}
	return fmt.Sprintf("a %T", v)
}
