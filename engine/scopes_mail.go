package engine

// mailOperationPermissions are the permissions of the mail operations the
// permissions extract (graph-reference/permissions-extract.json) does not
// list, as each operation's page in the Graph documentation gives them
// (microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/api/):
// least privileged first, delegated (work or school) then application.
var mailOperationPermissions = map[string][]string{
	"POST /me/messages":                                      {"Mail.ReadWrite"},              // user-post-messages.md
	"PATCH /me/messages/{id}":                                {"Mail.ReadWrite"},              // message-update.md
	"DELETE /me/messages/{id}":                               {"Mail.ReadWrite"},              // message-delete.md
	"POST /me/messages/{id}/reply":                           {"Mail.Send"},                   // message-reply.md
	"POST /me/messages/{id}/replyall":                        {"Mail.Send"},                   // message-replyall.md
	"POST /me/messages/{id}/forward":                         {"Mail.Send"},                   // message-forward.md
	"POST /me/messages/{id}/createreply":                     {"Mail.ReadWrite"},              // message-createreply.md
	"POST /me/messages/{id}/createreplyall":                  {"Mail.ReadWrite"},              // message-createreplyall.md
	"POST /me/messages/{id}/createforward":                   {"Mail.ReadWrite"},              // message-createforward.md
	"POST /me/messages/{id}/move":                            {"Mail.ReadWrite"},              // message-move.md
	"POST /me/messages/{id}/send":                            {"Mail.Send"},                   // message-send.md
	"GET /me/messages/{id}/attachments":                      {"Mail.Read", "Mail.ReadWrite"}, // message-list-attachments.md
	"POST /me/messages/{id}/attachments":                     {"Mail.ReadWrite"},              // message-post-attachments.md
	"POST /me/messages/{id}/attachments/createuploadsession": {"Mail.ReadWrite"},              // attachment-createuploadsession.md
}
