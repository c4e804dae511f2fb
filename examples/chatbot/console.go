package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxConsoleLine bounds one line read from the console.
const maxConsoleLine = 64 << 10

// runConsole chats on in and out as one user in one conversation: each line
// is a message, each reply is printed. An empty line is an empty answer
// (the default, or nothing for an optional input). It returns at the end of
// in or when ctx is cancelled between lines.
func runConsole(ctx context.Context, bot *Bot, in io.Reader, out io.Writer, conversation, user string) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 4096), maxConsoleLine)
	fmt.Fprint(out, "> ")
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		reply, err := bot.Handle(ctx, Message{Conversation: conversation, User: user, Text: sc.Text()})
		var merr *MessageError
		switch {
		case errors.As(err, &merr):
			fmt.Fprintf(out, "(%v)\n> ", merr)
			continue
		case err != nil:
			return err
		}
		fmt.Fprintf(out, "%s\n\n> ", strings.TrimRight(reply.Text, "\n"))
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("a line is longer than %d bytes", maxConsoleLine)
		}
		return err
	}
	fmt.Fprintln(out)
	return nil
}
