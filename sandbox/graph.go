package sandbox

import "net/http"

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	r = withRequestID(r)
	s.writeError(w, r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+r.URL.Path+"'.")
}
