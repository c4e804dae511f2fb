package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
)

// maxRequestBytes bounds the body of POST /messages: the text limit is
// 4000 characters (up to 16000 bytes of UTF-8), plus ids and JSON.
const maxRequestBytes = 20 << 10

// MessagesHandler serves POST /messages: a JSON Message in, a JSON Reply
// out. When apiKey is not empty, requests must carry it as
// "Authorization: Bearer KEY": the user and conversation ids are trusted as
// sent, so whoever can reach this endpoint can speak as anyone.
func MessagesHandler(bot *Bot, apiKey string, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	keySum := sha256.Sum256([]byte(apiKey))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, "use POST with a JSON body {conversation, user, text}")
			return
		}
		if apiKey != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			gotSum := sha256.Sum256([]byte(got))
			if !ok || subtle.ConstantTimeCompare(gotSum[:], keySum[:]) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="runflow chatbot"`)
				writeError(w, http.StatusUnauthorized, "missing or wrong API key (Authorization: Bearer KEY)")
				return
			}
		}
		if ct := r.Header.Get("Content-Type"); ct != "" {
			if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "the body must be JSON (Content-Type: application/json)")
				return
			}
		}
		msg, err := decodeMessage(http.MaxBytesReader(w, r.Body, maxRequestBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxRequestBytes))
				return
			}
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		reply, err := bot.Handle(r.Context(), msg)
		if err != nil {
			var merr *MessageError
			if errors.As(err, &merr) {
				writeError(w, http.StatusBadRequest, merr.Error())
				return
			}
			log.Error("chatbot: handling a message failed", "conversation", msg.Conversation, "user", msg.User, "error", err.Error())
			writeError(w, http.StatusInternalServerError, "the bot could not handle this message; try again later")
			return
		}
		writeJSON(w, http.StatusOK, reply)
	})
}

// decodeMessage reads exactly one JSON object with known fields.
func decodeMessage(r io.Reader) (Message, error) {
	var m Message
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return m, err
		}
		if errors.Is(err, io.EOF) {
			return m, errors.New("the body is empty; send {\"conversation\": ..., \"user\": ..., \"text\": ...}")
		}
		return m, fmt.Errorf("the body is not a message: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return m, err
		}
		return m, errors.New("the body has more than one JSON value")
	}
	return m, nil
}

type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
