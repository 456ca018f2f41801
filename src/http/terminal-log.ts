import pretty from 'pino-pretty';

/**
 * Logs for a person at a terminal (LOG_FORMAT=text): the time, the level and the
 * message on one line, with any other fields after it; JSON stays for collectors.
 */
export function terminalLog(destination: NodeJS.WritableStream): NodeJS.WritableStream {
  return pretty({
    destination,
    colorize: (destination as { isTTY?: boolean }).isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,reqId',
    singleLine: true,
    sync: true,
  });
}
