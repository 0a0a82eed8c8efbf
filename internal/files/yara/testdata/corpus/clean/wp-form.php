<?php
/**
 * Contact form handler of a theme (clean sample written for Vigil).
 */
if ( ! defined( 'ABSPATH' ) ) { exit; }
function theme_contact_submit() {
	if ( ! isset( $_POST['_wpnonce'] ) || ! wp_verify_nonce( $_POST['_wpnonce'], 'contact' ) ) {
		wp_die( esc_html__( 'Invalid request.', 'theme' ) );
	}
	$name    = sanitize_text_field( wp_unslash( $_POST['name'] ?? '' ) );
	$message = sanitize_textarea_field( wp_unslash( $_POST['message'] ?? '' ) );
	$action  = isset( $_GET['action'] ) ? sanitize_key( $_GET['action'] ) : 'send';
	$callbacks = array( 'send' => 'theme_contact_send' );
	if ( isset( $callbacks[ $action ] ) ) { call_user_func( $callbacks[ $action ], $name, $message ); }
	if ( ! empty( $_FILES['attachment'] ) ) {
		$upload = wp_handle_upload( $_FILES['attachment'], array( 'test_form' => false ) );
		move_uploaded_file( $_FILES['attachment']['tmp_name'], $upload['file'] );
	}
	echo esc_html( php_uname( 's' ) );
}
add_action( 'admin_post_contact', 'theme_contact_submit' );
