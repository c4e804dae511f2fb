package sandbox

import "net/http"

// identity is a placeholder until the identity platform lands in
// identity.go (whose author deletes this file).
func (s *Server) identity(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, http.StatusNotFound, "NotFound", "The identity platform endpoints are not available yet.")
}
