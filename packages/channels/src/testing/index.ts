// Test fixtures of @vigil/channels; never part of the main entry point.
export {
  attachmentText,
  startSmtpReceiver,
  type ReceivedMail,
  type SmtpReceiver,
} from "./smtp-receiver.js";
